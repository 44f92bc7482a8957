"""`gennai ask`: --json shape, abstention, exit codes, and that the bundled base model is not loaded."""
from __future__ import annotations

import json

from gennai_desktop.cli import main
from gennai_desktop.core import errors as E


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_json_shape(capsys, ja_corpus):
    code, out, err = run(capsys, "ask", "--no-model", "--json", str(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf"),
                         "参議院議員の任期は")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) >= {"answer", "abstained", "method", "citations"}
    assert data["abstained"] is False and data["method"] == "extractive"
    first = data["citations"][0]
    assert {"file", "page", "text", "highlights", "holds_answer"} <= set(first) and "六年" in first["text"]
    assert len(data["citations"]) <= 3 and data["status"] == "answered"
    assert "Traceback" not in err


def test_ask_folder_abstains(capsys, ja_corpus):
    code, out, err = run(capsys, "ask", "--json", "-q", str(ja_corpus), "運転免許証の更新手続はどこで行うのか")
    assert code == 0, err
    data = json.loads(out)
    assert data["abstained"] is True and data["status"] in ("not_found", "unsure")
    if data["status"] == "not_found":
        assert data["citations"] == [] and data["answer"] == "ご質問の内容は、これらの文書には見当たりませんでした。"
    else:                       # key terms found somewhere: the closest passages, flagged as such
        assert data["answer"].startswith("文書の中にご質問の答えがないかもしれません") and len(data["citations"]) <= 3
    assert "開発用の既定モデル" in err          # the active model is named, but (base model) not loaded


def test_ask_text_output_and_errors(capsys, ja_corpus, tmp_path):
    code, out, _ = run(capsys, "ask", "--no-model", "-q", str(ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt"),
                       "山の日は何月何日ですか")
    assert code == 0 and "八月十一日" in out and "出典:" in out and "抽出型回答" in out
    assert run(capsys, "ask", "--no-model", str(tmp_path / "nope"), "質問")[0] == E.EXIT_INPUT
    assert run(capsys, "ask", str(tmp_path))[0] == E.EXIT_USAGE


def test_ctrl_c_while_indexing_exits_130(tmp_path, ja_corpus):
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    proc = subprocess.Popen([sys.executable, "-m", "gennai_desktop.cli", "ask", "--no-model", str(ja_corpus), "山の日は"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    while True:
        line = proc.stderr.readline().decode()
        assert line, proc.stderr.read().decode()
        if "索引に登録" in line:                   # indexing has started
            break
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == E.EXIT_CANCELLED, err.decode()
    assert "処理を中止しました" in err.decode() and out == b""
