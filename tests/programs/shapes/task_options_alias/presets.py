from tasks import tokenize

light = tokenize.options(num_cpus=0.5)  # <- review
