from .services import counters_fold

# Responses are stored with a pending row; the counters take them in batches (every read of the
# counters folds first too, so results are exact whatever this interval).
JOBS = [
    ("surveys.counters_fold", 1, counters_fold),
]
