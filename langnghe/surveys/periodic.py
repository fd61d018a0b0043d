from .exports import exports_purge
from .security import hash_salts_purge
from .services import counters_fold

# Responses are stored with a pending row; the counters take them in batches (every read of the
# counters folds first too, so results are exact whatever this interval).
# The salts of past days (address and device hashes) are deleted within the hour after midnight.
JOBS = [
    ("surveys.counters_fold", 1, counters_fold),
    ("surveys.hash_salts_purge", 3600, hash_salts_purge),
    # Export files are deleted LANGNGHE_EXPORT_RETENTION_HOURS after they were made.
    ("surveys.exports_purge", 600, exports_purge),
]
