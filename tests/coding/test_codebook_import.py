"""import_codebook: both shared codebooks load, re-import is a no-op, an edit is a new version,
bad input names file, line and field and writes nothing."""

import pytest
from django.core.management import CommandError, call_command

from coding.models import Codebook, CodebookVersion, Indicator


def run(*args):
    call_command("import_codebook", *map(str, args))


@pytest.mark.django_db
def test_both_shared_codebooks_load_with_7_and_8_indicators(shared_codebooks):
    run(shared_codebooks["desta_tbt"], shared_codebooks["tbt_breadth_transparency_enforceability"])

    desta = CodebookVersion.objects.get(codebook__code="desta-tbt")
    other = CodebookVersion.objects.get(codebook__code="tbt-beyond-wto")
    assert desta.indicators.count() == 7
    assert other.indicators.count() == 8
    harmon = desta.indicators.get(code="tbt_harmon")
    assert harmon.level == "ordinal" and harmon.values == [0, 1, 2, 3]
    assert harmon.question_zh.startswith("协议是否包含")
    assert desta.depth_indicators == ["tbt_wto", "tbt_coop", "tbt_distort", "tbt_dispute", "tbt_intstand", "tbt_harmon"]
    assert [t["name"] for t in desta.tiers] == ["first", "second", "third"]
    assert {i.group for i in other.indicators.all()} == {"breadth", "transparency", "enforceability"}


@pytest.mark.django_db
def test_reimport_creates_no_version_and_edit_creates_version_2(shared_codebooks, tmp_path):
    source = shared_codebooks["desta_tbt"]
    run(source)
    run(source)
    assert CodebookVersion.objects.filter(codebook__code="desta-tbt").count() == 1

    # A comment-only change is not a new version: the content is what counts.
    commented = tmp_path / "commented.yaml"
    commented.write_text("# a comment\n" + source.read_text(encoding="utf-8"), encoding="utf-8")
    run(commented)
    assert CodebookVersion.objects.filter(codebook__code="desta-tbt").count() == 1

    edited = tmp_path / "edited.yaml"
    edited.write_text(
        source.read_text(encoding="utf-8").replace(
            "International covers both regional and global standards.",
            "International covers regional, plurilateral and global standards.",
        ),
        encoding="utf-8",
    )
    run(edited)
    versions = CodebookVersion.objects.filter(codebook__code="desta-tbt").order_by("number")
    assert [v.number for v in versions] == [1, 2]
    old, new = versions
    assert "regional and global" in old.indicators.get(code="tbt_intstand").guidance_en
    assert "plurilateral" in new.indicators.get(code="tbt_intstand").guidance_en


BAD_LEVEL = """codebook: broken
version: "1"
indicators:
  - code: a
    question: {en: "Question A?"}
    values: {0: "no", 1: "yes"}
  - code: b
    question: {en: "Question B?"}
    values: {0: "no", 1: "yes"}
    level: interval
"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text, expected",
    [
        (BAD_LEVEL, ["broken.yaml", "line 10", "indicators[1].level", "nominal or ordinal"]),
        (
            "codebook: x\nindicators:\n  - code: a\n    question: {en: Q}\n    values: [0, 1\n",
            ["broken.yaml", "line 6", "not valid YAML"],
        ),
        (
            BAD_LEVEL.replace('values: {0: "no", 1: "yes"}\n  - code: b', 'values: {zero: "no"}\n  - code: b'),
            ["broken.yaml", "indicators[0].values.zero", "not an integer"],
        ),
        (BAD_LEVEL.replace("code: b", "code: a"), ["line 7", "indicators[1].code", "appears twice"]),
    ],
)
def test_bad_codebook_names_file_line_and_field_and_writes_nothing(tmp_path, text, expected):
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as error:
        run(path)
    for fragment in expected:
        assert fragment in str(error.value)
    assert Codebook.objects.count() == 0 and Indicator.objects.count() == 0


@pytest.mark.django_db
def test_bilingual_value_labels_and_hints(tmp_path):
    path = tmp_path / "bilingual.yaml"
    path.write_text(
        "codebook: bi\ntitle: {en: Bilingual, zh: 双语}\nindicators:\n  - code: x\n    question: {en: Q, zh: 问}\n"
        '    values: {0: {en: absent, zh: 无}, 1: "yes"}\n    hints: [international standard, harmoni]\n',
        encoding="utf-8",
    )
    run(path)
    indicator = Indicator.objects.get(code="x")
    assert indicator.allowed_values == [
        {"value": 0, "label_en": "absent", "label_zh": "无"},
        {"value": 1, "label_en": "yes", "label_zh": "是"},
    ]
    assert indicator.keyword_hints == ["international standard", "harmoni"]
    assert indicator.level == "nominal"


def _hints(version):
    return {i.code: i.keyword_hints for i in version.indicators.all()}


@pytest.mark.django_db
def test_shared_codebook_after_demo_is_the_same_version_and_keeps_the_hints(shared_codebooks, tmp_path):
    from config.demo import DEMO_DIR

    # Given the demo's DESTA codebook (with keyword hints)
    demo = DEMO_DIR / "codebooks" / "desta_tbt.yaml"
    run(demo)
    version = CodebookVersion.objects.get(codebook__code="desta-tbt")
    demo_hints = _hints(version)
    assert demo_hints["tbt_harmon"] == ["harmoni", "equivalen", "mutual recognition"]

    # When the shared file (same instrument, no hints) is imported
    run(shared_codebooks["desta_tbt"])

    # Then there is no new version and the hints stay
    assert CodebookVersion.objects.filter(codebook__code="desta-tbt").count() == 1
    assert _hints(CodebookVersion.objects.get(codebook__code="desta-tbt")) == demo_hints

    # A file with other hints updates them in place, still one version
    rehinted = tmp_path / "rehinted.yaml"
    rehinted.write_text(
        demo.read_text(encoding="utf-8").replace('"mutual recognition"', '"mutual recognition", "MRA"'),
        encoding="utf-8",
    )
    run(rehinted)
    version = CodebookVersion.objects.get(codebook__code="desta-tbt")
    assert _hints(version)["tbt_harmon"] == ["harmoni", "equivalen", "mutual recognition", "MRA"]
    assert version.source_name == "rehinted.yaml"

    # An edited question is a new instrument: version 2, with the new file's (absent) hints
    edited = tmp_path / "edited.yaml"
    edited.write_text(
        shared_codebooks["desta_tbt"]
        .read_text(encoding="utf-8")
        .replace("Does the agreement refer to the WTO Agreement", "Does the agreement cite the WTO Agreement"),
        encoding="utf-8",
    )
    assert edited.read_text(encoding="utf-8") != shared_codebooks["desta_tbt"].read_text(encoding="utf-8")
    run(edited)
    assert [v.number for v in CodebookVersion.objects.filter(codebook__code="desta-tbt").order_by("number")] == [1, 2]


@pytest.mark.django_db
def test_version_stored_with_the_old_hash_that_covered_hints_is_still_matched():
    import yaml

    from coding.importers.codebook_yaml import content_hash
    from config.demo import DEMO_DIR

    # Given a version imported before hints left the hash (its stored hash covers them)
    demo = DEMO_DIR / "codebooks" / "desta_tbt.yaml"
    run(demo)
    old_hash = content_hash({"legacy": yaml.safe_load(demo.read_text(encoding="utf-8"))})
    CodebookVersion.objects.update(content_hash=old_hash)

    # When the same file is imported again
    run(demo)

    # Then it is recognised and its hash brought up to date
    version = CodebookVersion.objects.get(codebook__code="desta-tbt")
    assert version.number == 1 and version.content_hash != old_hash
