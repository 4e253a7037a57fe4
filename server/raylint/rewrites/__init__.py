"""The three rewrites Ray's docs recommend for RAY001, one module each."""
