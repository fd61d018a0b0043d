import json

import numpy
import pytest

from langnghe.triage import classifier


def test_shipped_model_loads_without_pickle_and_is_small():
    assert classifier.MODEL_FILE.exists()
    assert classifier.MODEL_FILE.stat().st_size < 3 * 1024 * 1024
    meta = json.loads(classifier.META_FILE.read_text())
    assert meta["messages"] >= 1500 and meta["sklearn"]
    model = classifier.CompiledModel.load()  # numpy.load(allow_pickle=False) inside
    assert set(model.heads["category"][2]) == set(classifier.CATEGORIES)


def test_model_is_loaded_once_and_cached():
    classifier.reset_model()
    first = classifier.get_model()
    assert classifier.get_model() is first


def test_data_sizes_and_no_heldout_message_is_trained_on():
    train = classifier.training_rows()
    held = classifier.development_rows()
    assert len(train) >= 1500 and len(held) >= 300
    held_keys = {classifier._key(row["text"]) for row in held}
    assert not held_keys & {classifier._key(row["text"]) for row in train}
    assert {row["category"] for row in held} == set(classifier.CATEGORIES)
    assert any(row["source"] == "hand" for row in held)
    assert any(row["source"] == "hand" for row in train)


@pytest.fixture(scope="module")
def small_bundle():
    rows = classifier.training_rows()[::5]
    return classifier.train(rows)


def test_compiled_model_matches_scikit_learn(small_bundle):
    compiled = classifier.compile_bundle(small_bundle)
    texts = [row["text"] for row in classifier.development_rows()[:60]] + ["", "😀", "x" * 6000]
    from langnghe.triage.normalize import normalize

    matrix = small_bundle["features"].transform([normalize(t) for t in texts])
    for head in ("category", "urgent"):
        expected = small_bundle[head].predict_proba(matrix)
        for row, text in enumerate(texts):
            classes, got = compiled.scores(head, compiled.vector(normalize(text)))
            assert classes == [str(c) for c in small_bundle[head].classes_]
            numpy.testing.assert_allclose(got, expected[row], atol=1e-4)


def test_training_is_reproducible(small_bundle):
    again = classifier.train(classifier.training_rows()[::5])
    numpy.testing.assert_array_equal(small_bundle["category"].coef_, again["category"].coef_)
    assert small_bundle["meta"]["data"] == again["meta"]["data"]


def test_missing_model_file_is_trained_at_first_use(tmp_path, monkeypatch):
    monkeypatch.setattr(classifier, "MODEL_DIR", tmp_path)
    monkeypatch.setattr(classifier, "MODEL_FILE", tmp_path / "triage.npz")
    monkeypatch.setattr(classifier, "META_FILE", tmp_path / "meta.json")
    rows = classifier.training_rows()[::5]
    monkeypatch.setattr(classifier, "training_rows", lambda extra=None: rows)
    classifier.reset_model()
    try:
        model = classifier.get_model()
        assert (tmp_path / "triage.npz").exists()
        assert classifier.classify("cháy nhà cứu với", model).urgent
    finally:
        classifier.reset_model()


def test_a_task_worker_loads_the_model_as_it_starts():
    from langnghe.triage import classifier
    from langnghe.triage.apps import warm_up_in_worker

    assert warm_up_in_worker(["langnghe", "runserver"]) is None
    classifier.reset_model()
    thread = warm_up_in_worker(["/x/langnghe/__main__.py", "db_worker", "--queue-name", "*"])
    assert thread is not None
    thread.join(timeout=60)
    assert classifier._bundle is not None


def test_the_same_text_is_classified_once_until_the_model_changes(monkeypatch):
    from langnghe.triage import classifier

    calls = []
    real = classifier._classify
    monkeypatch.setattr(classifier, "_classify", lambda t, m: calls.append(t) or real(t, m))
    text = "Cho hỏi thủ tục đăng ký tạm trú cho người thuê trọ"
    first = classifier.classify(text)
    assert classifier.classify(text) is first and calls == [text]
    classifier.reset_model()  # a new model: what the old one said is forgotten
    assert classifier.classify(text) == first and calls == [text, text]


def _vector_by_analyzers(model, normalized):
    """The vector as the fitted analyzers see the whole text (no per-word memo)."""
    indices, values = [], []
    for analyzer, vocabulary, idf, offset in model.features:
        counts = {}
        for gram in analyzer(normalized):
            if (index := vocabulary.get(gram)) is not None:
                counts[index] = counts.get(index, 0) + 1
        if counts:
            block = numpy.array(list(counts), dtype=numpy.int64)
            weights = (1.0 + numpy.log(numpy.array(list(counts.values()), float))) * idf[block]
            indices.append(block + offset)
            values.append(weights / numpy.sqrt((weights * weights).sum()))
    if not indices:
        return numpy.zeros(0, dtype=numpy.int64), numpy.zeros(0)
    return numpy.concatenate(indices), numpy.concatenate(values)


def test_the_word_memo_gives_the_analyzers_vector():
    """The per-word n-gram memo of the character features changes no vector: every held-out
    message (warm and cold memo), and odd text (capitals, đ, combining marks, tabs, symbols)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from langnghe.triage.normalize import normalize

    model = classifier.CompiledModel.load()

    def same(text):
        normalized = normalize(text)
        got, expected = model.vector(normalized), _vector_by_analyzers(model, normalized)
        assert numpy.array_equal(got[0], expected[0])
        assert numpy.allclose(got[1], expected[1], rtol=0, atol=1e-12)

    for row in classifier.development_rows()[:200]:
        same(row["text"])
        same(row["text"])  # memo warm
    assert model._word_memo

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(st.text(alphabet=st.sampled_from("aĐđÂấệ\u0301 \t\nİß?!x1Ư"), max_size=30))
    def odd(text):
        same(text)

    odd()


def test_analyzers_give_scikit_learns_ngrams():
    """The run-time analyzers are a copy of scikit-learn's for the settings of FEATURES."""
    from langnghe.triage.normalize import normalize

    texts = [row["text"] for row in classifier.development_rows()]
    texts += ["", "😀", "x" * 600, "  a\tb\u00a0c\u2003d\x1ce  ", "Ôi CỨU với!!! 113", "a", "ab cd"]
    for name in classifier.FEATURES:
        expected = classifier._vectorizer(name).build_analyzer()
        mine = classifier.analyzer(name)
        for text in texts:
            for form in (text, normalize(text)):
                assert mine(form) == expected(form), (name, form)


def test_classifying_imports_no_scikit_learn():
    """Run time is the numpy path alone (module docstring): a fresh process loads the shipped
    model and classifies without importing scikit-learn."""
    import os
    import subprocess
    import sys

    code = (
        "import django, sys; django.setup()\n"
        "from langnghe.triage.classifier import classify\n"
        "result = classify('Cứu với, có cướp đang chạy về phía cầu!')\n"
        "assert result.urgent, result\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))\n"
    )
    root = classifier.HERE.parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
