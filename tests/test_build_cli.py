"""`python -m fukudx_kg build|validate` as a user or another repository's CI runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fukudx_kg.build.pipeline import DATA_DIR, build, prefecture_folders
from fukudx_kg.build.sources import SourceError

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, cwd=ROOT, env_extra=None):
    import os
    env = dict(os.environ, PYTHONPATH=str(ROOT), **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "fukudx_kg", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_build_is_deterministic(tmp_path, built):
    second = tmp_path / "again"
    build(second)
    for name in ["dataset.nq", "release.json"] + [p.name for p in built.glob("*.ttl")]:
        assert (second / name).read_bytes() == (built / name).read_bytes(), name


def test_dump_is_sorted_nquads_in_named_graphs(built):
    lines = (built / "dataset.nq").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)
    graphs = {line.rsplit(" ", 2)[-2] for line in lines}
    codes = sorted(folder.name.split("-")[0] for folder in prefecture_folders(DATA_DIR))
    assert {"07", "24"} <= set(codes)
    names = ("ontology", "shared", "national", *(f"pref/{code}" for code in codes))
    assert graphs == {f"<https://w3id.org/fukudx/graph/{name}>" for name in names}
    release = json.loads((built / "release.json").read_text())
    assert release["quads"] == len(lines)
    assert sorted(p.name for p in built.glob("*.ttl")) == sorted(
        ["ontology.ttl", "shared.ttl", "national.ttl", *(f"pref-{code}.ttl" for code in codes)])


def test_base_iri_is_configurable(tmp_path):
    out = tmp_path / "b"
    build(out, base_iri="http://localhost:8080/id/")
    text = (out / "dataset.nq").read_text(encoding="utf-8")
    assert "<http://localhost:8080/id/pref/07/initiative/" in text
    assert "https://w3id.org/fukudx/id/" not in text


def test_malformed_row_stops_build_with_file_and_line(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "prefectures" / "07-fukushima" / "initiatives" / "r4-gyosei.yaml"
    text = path.read_text(encoding="utf-8")
    broken = text.replace('value: "11,400"', 'value: "11.400.0"', 1)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(SourceError) as err:
        build(tmp_path / "out", data_dir=data)
    message = str(err.value)
    assert message.startswith(f"{path}:")
    line = int(message.split(":")[1])
    record = path.read_text(encoding="utf-8").splitlines()[line - 1:line + 8]
    assert any("11.400.0" in record_line for record_line in record), record  # the error points at the KPI record
    assert "value '11.400.0'" in message


def test_build_cli_reports_malformed_source(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    csv = data / "prefectures" / "07-fukushima" / "municipalities.csv"
    csv.chmod(0o644)
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("072036", "072037")  # 郡山市 with a wrong check digit
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("build", "--out", str(tmp_path / "out"), "--data", str(data))
    assert result.returncode == 1
    assert f"{csv}:4:" in result.stderr and "check digit" in result.stderr


def test_build_cli_writes_to_the_build_dir_setting(tmp_path, built):
    """`make build` = `python -m fukudx_kg build`: FUKUDX_BUILD_DIR (the directory the server reads) by default."""
    target = tmp_path / "served"
    result = cli("build", env_extra={"FUKUDX_BUILD_DIR": str(target)})
    assert result.returncode == 0, result.stderr
    assert f"→ {target / 'dataset.nq'}" in result.stdout
    for name in ["dataset.nq", "release.json"] + [p.name for p in built.glob("*.ttl")]:
        assert (target / name).read_bytes() == (built / name).read_bytes(), name


def test_build_cli_reports_a_bad_setting(tmp_path):
    result = cli("build", env_extra={"FUKUDX_BUILD_DIR": str(tmp_path / "b"), "FUKUDX_BASE_IRI": "not an iri"})
    assert result.returncode == 2 and "invalid setting: FUKUDX_BASE_IRI" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "b").exists()


def test_validate_cli_conforms_on_build(built):
    result = cli("validate", str(built / "dataset.nq"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Conforms" in result.stdout


FOREIGN = """@prefix fdx: <https://w3id.org/fukudx/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/pref/13> a fdx:Prefecture , org:FormalOrganization ;
    rdfs:label "東京都"@ja ; fdx:prefectureCode "13" ; fdx:localGovernmentCode "130001" .
<https://example.org/m/131016> a fdx:Municipality , org:FormalOrganization ;
    rdfs:label "千代田区"@ja ; fdx:localGovernmentCode "131017" ; fdx:inPrefecture <https://example.org/pref/13> .
"""


def test_validate_cli_in_another_repository(tmp_path):
    """Another repository's CI validates its own Turtle: text, json and junit reports, exit 1."""
    data = tmp_path / "other-repo" / "tokyo.ttl"
    data.parent.mkdir()
    data.write_text(FOREIGN, encoding="utf-8")
    text = cli("validate", str(data), cwd=data.parent)
    assert text.returncode == 1
    assert "fdxsh:MunicipalityShape" in text.stdout and "千代田区" in text.stdout and "check digit" in text.stdout
    as_json = cli("validate", "--format", "json", str(data), cwd=data.parent)
    report = json.loads(as_json.stdout)
    assert report["conforms"] is False
    assert {r["focus"] for r in report["results"]} == {"https://example.org/m/131016"}
    junit = cli("validate", "--format", "junit", "--output", str(tmp_path / "r.xml"), str(data), cwd=data.parent)
    assert junit.returncode == 1
    suite = ET.parse(tmp_path / "r.xml").getroot()
    assert suite.tag == "testsuite" and int(suite.get("failures")) >= 1


def test_validate_cli_unreadable_input(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle <", encoding="utf-8")
    result = cli("validate", str(bad))
    assert result.returncode == 2 and "bad.ttl" in result.stderr
    missing = cli("validate", str(tmp_path / "nope.ttl"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
