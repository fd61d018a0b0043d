"""How many tracking codes one client address may try: one budget for every door that answers
a tracking code (the status page, Open311 ``service_request_id``, ``requests/{id}``,
``tokens/{id}``), counted per code tried, not per request (issue #24).

Why these numbers: a tracking code is 8 symbols of 32 (40 bits). With 100,000 cases one guess
in ~11 million hits; unlimited (100 codes a request) that was a hit every ~10 minutes. At 60
codes a minute and 600 an hour per address a hit takes ~2 years of one address's budget. A
citizen looks up one code; an Open311 client follows its own requests a few at a time and reads
the public list (no codes tried) for the rest. ``MAX_CODES_PER_REQUEST`` = 10: a client's batch
of follow-ups fits, and one request cannot spend more than a sixth of the minute's budget.
"""

from django_ratelimit.core import is_ratelimited

MAX_CODES_PER_REQUEST = 10
LOOKUP_BUDGETS = (("cases.lookup.minute", "60/m"), ("cases.lookup.hour", "600/h"))
RATE_LIMITED = "Ông/bà tra cứu quá nhiều mã. Vui lòng đợi một lát rồi thử lại."


def lookup_limited(request, codes: int = 1) -> bool:
    """Spend ``codes`` of the caller's budget (per client address, django-ratelimit ``key="ip"``);
    True when it is exhausted: answer 429 and look nothing up."""
    limited = False
    for _code in range(max(codes, 1)):
        for group, rate in LOOKUP_BUDGETS:
            if is_ratelimited(request, group=group, key="ip", rate=rate, increment=True):
                limited = True
    return limited
