"""`langnghe gen_load` (issue 10): synthetic activity in bulk, its counters equal to the rows."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from langnghe.cases.models import Case
from langnghe.inbox.models import Message
from langnghe.surveys.models import DailyCount, MonthlyCount, SurveyResponse


@pytest.mark.django_db
def test_gen_load_on_the_existing_network_counts_what_it_made():
    before = SurveyResponse.objects.count(), Case.objects.count(), Message.objects.count()
    call_command(
        "gen_load", "--network", "existing", "--responses", "300", "--cases", "40",
        "--messages", "60", stdout=open("/dev/null", "w"),
    )  # fmt: skip
    assert SurveyResponse.objects.count() == before[0] + 300
    assert Case.objects.count() == before[1] + 40
    assert Message.objects.count() >= before[2] + 60
    # The counters were rebuilt from the rows: day and month totals both equal the row count.
    for model in (DailyCount, MonthlyCount):
        total = model.objects.filter(metric="responses").aggregate(n=Sum("count"))["n"]
        assert total == SurveyResponse.objects.count()


@pytest.mark.django_db
def test_gen_load_refuses_negative_sizes():
    with pytest.raises(CommandError):
        call_command("gen_load", "--network", "existing", "--responses", "-1")
    assert not SurveyResponse.objects.exists()
