"""An actor that keeps running word counts."""

import ray


@ray.remote
class WordCounter:
    def __init__(self):
        self.counts = {}
        self.history = []

    def add(self, words):
        for word in words:
            self.counts[word] = self.counts.get(word, 0) + 1
        self.history.append(self._snapshot())
        return len(self.counts)

    def _snapshot(self):
        # Called only inside the actor: the ref stays here, so this is not a remote method.
        return ray.put(dict(self.counts))

    def top(self, n):
        ranked = sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))
        return ray.put(ranked[:n])

    def totals(self):
        return ray.put(len(self.counts)), ray.put(sum(self.counts.values()))
