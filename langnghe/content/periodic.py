from .services import counters_flush, posts_publish_due

JOBS = [
    # Scheduled posts go out within a minute of their time.
    ("content.publish_due", 30, posts_publish_due),
    # View and share counts batched into one UPDATE per post.
    ("content.counters_flush", 15, counters_flush),
]
