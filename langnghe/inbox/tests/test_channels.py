"""The duty desk reaches the citizens' channels only through ``langnghe.inbox.channels``: it
imports no connector (its modules are parsed; the tests excluded, which drive the whole site),
and the channels are found by name in the apps' ``channels`` modules."""

import ast
from pathlib import Path

import pytest

from langnghe import discovery
from langnghe.connectors.models import OutboundMessage
from langnghe.inbox import channels, services
from langnghe.inbox.models import ChannelKind, Delivery

INBOX = Path(channels.__file__).parent
CONNECTORS = "langnghe.connectors"


def _connector_names(tree: ast.AST) -> list[tuple[int, str]]:
    """Every import of ``langnghe.connectors`` (at module level or in a function), and every
    dotted string naming one of its modules (``mock.patch``, ``import_string``)."""

    def named(name: str) -> bool:
        return name == CONNECTORS or name.startswith(CONNECTORS + ".")

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if named(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if named(node.module):
                found.append((node.lineno, node.module))
            elif node.module == "langnghe":
                found += [
                    (node.lineno, f"langnghe.{a.name}")
                    for a in node.names
                    if named(f"langnghe.{a.name}")
                ]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if named(node.value):
                found.append((node.lineno, node.value))
    return found


def test_the_check_catches_an_import():
    tree = ast.parse(
        "def f():\n    from langnghe.connectors.services import outbound_enqueue\n"
        "import langnghe.connectors.zalo\nfrom langnghe import connectors\n"
        "P = 'langnghe.connectors.services.outbound_enqueue_many'\n"
        "from langnghe.inbox import channels\n"
    )
    assert sorted(name for _line, name in _connector_names(tree)) == [
        "langnghe.connectors",
        "langnghe.connectors.services",
        "langnghe.connectors.services.outbound_enqueue_many",
        "langnghe.connectors.zalo",
    ]


def test_the_desk_imports_no_connector():
    offences = []
    modules = [p for p in sorted(INBOX.rglob("*.py")) if "tests" not in p.relative_to(INBOX).parts]
    assert len(modules) > 10  # the walk found the inbox
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offences += [
            f"{path.relative_to(INBOX.parent.parent)}:{line} {name}"
            for line, name in _connector_names(tree)
        ]
    assert offences == [], "the inbox must not import a connector:\n" + "\n".join(offences)


def test_every_kind_of_conversation_has_its_channel():
    declared = discovery.channels()
    assert set(declared) == set(ChannelKind.values)
    for name in ChannelKind.values:
        channel = channels.channel_for(name)
        assert channel is declared[name]
        assert channel.stored_delivery in (Delivery.SENT, Delivery.PENDING)
        assert callable(channel.send) and callable(channel.send_many)
    # Web chat: the citizen's page reads the answer from us; Zalo carries it and reports back.
    assert channels.channel_for("web").stored_delivery == Delivery.SENT
    assert channels.channel_for("zalo").stored_delivery == Delivery.PENDING
    with pytest.raises(LookupError):
        channels.channel_for("fax")


@pytest.mark.django_db
def test_a_web_answer_is_sent_once_stored_and_hands_nothing_over(unit):
    desk = unit("BG-X07201")
    message = services.message_receive(unit=desk, channel="web", external_id="w1", text="Chào")
    reply = services.message_reply(conversation=message.conversation, by=None, text="Đã nhận")
    assert reply.delivery == Delivery.SENT
    assert not OutboundMessage.objects.filter(message=reply).exists()


def test_a_channel_declared_twice_is_an_error(monkeypatch):
    class Module:
        CHANNELS = {"web": object()}

    monkeypatch.setattr(discovery, "_modules", lambda name: iter([("a", Module), ("b", Module)]))
    with pytest.raises(ValueError, match="declared twice"):
        discovery.channels()
