"""The background ingest queue: uploads and removals queued, run one at a time by a worker thread, their
progress and reports recorded, an audit line per document, the live generation serving until the new one is in."""

from __future__ import annotations

import threading

import pytest

import pipeline
from pipeline.access.accounts import Accounts
from pipeline.access.jobs import Action, IngestRunner, Jobs, JobState, Worker
from tests.conftest import DATA, SEED


@pytest.fixture
def index(tmp_path, fake_embedder):
    pipeline.ingest([SEED], fake_embedder, root=tmp_path, collection="a")
    accounts = Accounts(tmp_path)
    accounts.add("lan", "editor", ["a", "b"], "mat-khau-cua-lan", by="test")
    accounts.add("hoa", "editor", ["b"], "mat-khau-cua-hoa", by="test")
    return tmp_path


def _done_log(index):
    return [(e.actor, e.action, e.target) for e in Accounts(index).audit_log() if e.action.startswith("document")]


def test_an_upload_is_queued_then_ingested_into_its_collection_with_an_audit_line(index):
    jobs = Jobs(index)
    job = jobs.submit_upload([("qd-97-2025-ubnd.md", (DATA / "qd-97-2025-ubnd.md").read_bytes())], "b", actor="lan")
    assert job.state is JobState.QUEUED and job.action is Action.ADD and jobs.pending() == 1
    assert pipeline.open_library(index).generation  # nothing changed yet: the seed alone is live
    assert set(pipeline.open_index(index).docs) == {SEED.name}
    assert Worker(index).run_one()
    done = jobs.get(job.id)
    assert done.state is JobState.DONE and done.report["added"] == ["qd-97-2025-ubnd.md"]
    assert done.stage and done.done == done.total  # progress was recorded
    docs = pipeline.open_index(index).docs
    assert docs["qd-97-2025-ubnd.md"].collection == "b" and docs[SEED.name].collection == "a"
    log = [e for e in Accounts(index).audit_log() if e.action.startswith("document")]
    assert [(e.actor, e.action, e.target, e.detail["collection"]) for e in log] == [
        ("lan", "document.add", "qd-97-2025-ubnd.md", "b")]
    assert not (jobs.folder / str(job.id)).exists()  # the queued bytes are gone
    assert not Worker(index).run_one()  # nothing left


def test_a_replacement_and_a_removal_are_audited_as_such(index):
    jobs = Jobs(index)
    body = (DATA / "qd-97-2025-ubnd.md").read_bytes()
    jobs.submit_upload([("qd-97-2025-ubnd.md", body)], "b", actor="lan")
    jobs.submit_upload([("qd-97-2025-ubnd.md", body + b"\n\nPhu luc bo sung.\n")], "b", actor="lan", replace=True)
    jobs.submit_remove(["qd-97-2025-ubnd.md"], actor="hoa")
    worker = Worker(index)
    while worker.run_one():
        pass
    assert [(actor, action) for actor, action, _ in _done_log(index)] == [
        ("lan", "document.add"), ("lan", "document.replace"), ("hoa", "document.remove")]
    assert set(pipeline.open_index(index).docs) == {SEED.name}
    assert [j.state for j in jobs.recent()] == [JobState.DONE] * 3


def test_a_broken_upload_fails_alone_named_and_the_index_stays(index):
    jobs = Jobs(index)
    before = pipeline.open_library(index).generation
    bad = jobs.submit_upload([("hong.docx", b"PK\x03\x04 not really a docx")], "a", actor="lan")
    good = jobs.submit_upload([("qd-1378-bnv.md", (DATA / "qd-1378-bnv.md").read_bytes())], "a", actor="lan")
    worker = Worker(index)
    while worker.run_one():
        pass
    failed = jobs.get(bad.id)
    assert failed.state is JobState.DONE and failed.report["errors"] and "hong.docx" in failed.report["errors"][0]
    assert jobs.get(good.id).report["added"] == ["qd-1378-bnv.md"]
    assert pipeline.open_library(index).generation != before
    assert set(pipeline.open_index(index).docs) == {SEED.name, "qd-1378-bnv.md"}


def test_a_job_whose_run_raises_is_marked_failed_and_the_worker_goes_on(index):
    jobs = Jobs(index)
    jobs.submit_remove(["x"], actor="lan")

    def broken(job, progress):
        raise RuntimeError("đĩa đầy")

    assert Worker(index, run=broken).run_one()
    (job,) = jobs.recent()
    assert job.state is JobState.FAILED and "đĩa đầy" in job.message
    assert Accounts(index).audit_log()[-1].action == "job.failed"


def test_the_worker_thread_runs_jobs_while_the_old_generation_keeps_answering(index):
    jobs = Jobs(index)
    started, release = threading.Event(), threading.Event()
    runner = IngestRunner(index)

    def slow(job, progress):
        started.set()
        release.wait(60)  # the ingest is "running" until the test has asked its question
        return runner(job, progress)

    worker = Worker(index, run=slow, poll=0.05).start()
    try:
        job = jobs.submit_upload([("qd-97-2025-ubnd.md", (DATA / "qd-97-2025-ubnd.md").read_bytes())], "a",
                                 actor="lan")
        worker.wake()
        assert started.wait(60)
        assert jobs.get(job.id).state is JobState.RUNNING
        answer = pipeline.open_answerer(index).ask("tang truong kinh te nam 2022")
        assert answer.to_json()["passages"]  # answered from the live generation meanwhile
        release.set()
        assert worker.wait_idle(120) and jobs.get(job.id).state is JobState.DONE
    finally:
        release.set()
        worker.stop(timeout=60)
    assert "qd-97-2025-ubnd.md" in pipeline.open_index(index).docs


def test_a_job_left_running_by_a_stopped_server_is_queued_again(index):
    jobs = Jobs(index)
    job = jobs.submit_remove(["x"], actor="lan")
    assert jobs.claim().id == job.id and jobs.get(job.id).state is JobState.RUNNING
    assert jobs.requeue_interrupted() == 1 and jobs.get(job.id).state is JobState.QUEUED


def test_bad_submissions_are_refused_before_anything_is_queued(index):
    jobs = Jobs(index)
    for call in (lambda: jobs.submit_upload([], "a", actor="lan"),
                 lambda: jobs.submit_upload([("a.md", b"x")], "../noi-vu", actor="lan"),
                 lambda: jobs.submit_upload([("..", b"x")], "a", actor="lan"),
                 lambda: jobs.submit_remove([], actor="lan")):
        with pytest.raises(pipeline.Refused) as e:
            call()
        assert e.value.status == 400
    assert jobs.recent() == [] and jobs.pending() == 0


def test_the_worker_checks_again_what_the_account_may_touch_and_changes_nothing_else(index):
    jobs = Jobs(index)
    body = (DATA / "qd-97-2025-ubnd.md").read_bytes()
    into_a = jobs.submit_upload([("qd-97-2025-ubnd.md", body)], "a", actor="hoa")  # hoa edits b only
    over_seed = jobs.submit_upload([(SEED.name, b"Bao cao thay the.")], "b", actor="hoa", replace=True)
    remove_seed = jobs.submit_remove([SEED.name, "khong-co.md"], actor="hoa")
    gone = jobs.submit_remove([SEED.name], actor="nobody")
    worker = Worker(index)
    while worker.run_one():
        pass
    assert "may not upload into 'a'" in jobs.get(into_a.id).report["errors"][0]
    assert "hãy đổi tên tệp" in jobs.get(over_seed.id).report["errors"][0]
    errors = jobs.get(remove_seed.id).report["errors"]
    assert len(errors) == 2 and "không có quyền" in errors[0] and "không có trong chỉ mục" in errors[1]
    assert jobs.get(gone.id).state is JobState.FAILED and "no longer exists" in jobs.get(gone.id).message
    docs = pipeline.open_index(index).docs
    assert set(docs) == {SEED.name} and docs[SEED.name].collection == "a"
    assert _done_log(index) == []
