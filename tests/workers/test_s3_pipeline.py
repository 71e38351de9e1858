"""The answer pipeline with audio on a real S3-compatible server (moto's standalone server).

In this process (the jobs themselves) and through real processes (stand-in call, web
server, RQ worker), no shared folder: every audio file is an object in the bucket.
"""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from ivr.standin import TwilioApiServer, place_call
from tests.factories import PASSWORD, make_candidate, make_interview, make_org, make_user
from tests.s3 import client, make_bucket
from tests.support import (
    env_for,
    free_port,
    sign_in,
    start_process,
    stop_process,
    wait_until,
    web_server,
)
from tests.voice.samples import SENTENCES, phone_speech, word_error_rate
from tests.workers.helpers import make_answer
from voice.models import Answer, AnswerStatus
from workers import context
from workers.recordings import fetch_recording, transcribe_answer

pytestmark = pytest.mark.slow

SID = "RE00000000000000000000000000000051"


def objects(endpoint: str, bucket: str) -> list[str]:
    return sorted(
        o["Key"] for o in client(endpoint).list_objects_v2(Bucket=bucket).get("Contents", [])
    )


@pytest.fixture
def s3_jobs(s3_settings, recordings, tmp_path, db):
    """Jobs called in this process use the S3 store (and a media folder that must stay empty)."""
    ctx = context.use(
        s3_settings.replace(twilio_api_url=recordings.url, media_dir=tmp_path / "media")
    )
    yield ctx
    context.reset()


def test_fetch_and_transcribe_keep_every_file_in_the_bucket(
    s3_jobs, s3_settings, recordings, db, session_factory, tmp_path
):
    """Original, speech copy, playback MP3 and waveform are objects under the prefix; no files."""
    audio = phone_speech(SENTENCES[2])
    answer = make_answer(db, recordings.add(SID, audio))
    assert fetch_recording(answer.id) == "stored"
    assert transcribe_answer(answer.id) == "transcribed"

    with session_factory() as session:
        done = session.get(Answer, answer.id)
    assert done.status == AnswerStatus.TRANSCRIBED
    assert word_error_rate([SENTENCES[2]], [done.transcript]) < 0.25, done.transcript
    bucket = s3_settings.storage_url.removeprefix("s3://").split("/")[0]
    base = f"audio/answers/{answer.id}/"
    assert objects(s3_settings.s3_endpoint_url, bucket) == [
        base + name
        for name in ("original.wav", "playback.mp3", "silences.json", "speech.wav", "waveform.svg")
    ]
    assert s3_jobs.store.get(done.original_key) == audio
    assert not (tmp_path / "media").exists()


@pytest.fixture(scope="module")
def live_s3(settings, s3_endpoint, tmp_path_factory):
    """Web server and RQ worker processes whose only audio store is an S3 bucket."""
    logs = tmp_path_factory.mktemp("live-s3")
    api = TwilioApiServer(settings.twilio_account_sid, settings.twilio_auth_token).start()
    bucket = make_bucket(s3_endpoint)
    running = settings.replace(
        public_url=f"http://127.0.0.1:{free_port()}",
        twilio_api_url=api.url,
        storage_url=f"s3://{bucket}/prod",
        s3_endpoint_url=s3_endpoint,
        media_dir=logs / "no-media-here",
    )
    try:
        with web_server(running, logs / "web.log"):
            worker = start_process(["-m", "workers"], env_for(running), logs / "worker.log")
            try:
                yield running, api, bucket
            finally:
                stop_process(worker)
    finally:
        api.stop()


def test_a_call_is_transcribed_and_playable_from_the_bucket(live_s3, db, session_factory):
    """Two spoken answers end transcribed; the dashboard plays one back with HTTP Range."""
    running, _api, bucket = live_s3
    org = make_org(db)
    make_user(db, org)
    interview = make_interview(db, org, questions=("Tell us about your last job.", "Why us?"))
    candidate = make_candidate(db, interview)
    db.commit()

    log = place_call(
        running, interview.phone_number, candidate.phone, says=SENTENCES[:2], digits=["1"]
    )
    assert log.ok, log.transcript()

    def finished():
        with session_factory() as session:
            rows = session.scalars(
                select(Answer).where(Answer.candidate_id == candidate.id).order_by(Answer.id)
            ).all()
            done = [a for a in rows if a.status in (AnswerStatus.TRANSCRIBED, AnswerStatus.FAILED)]
            return rows if len(done) == 2 else None

    answers = wait_until(finished, timeout=240, what="two transcripts")
    assert [a.status for a in answers] == [AnswerStatus.TRANSCRIBED] * 2, [a.error for a in answers]
    names = objects(running.s3_endpoint_url, bucket)
    for answer in answers:
        assert f"prod/{answer.playback_key}" in names
    assert not running.media_dir.exists()

    browser = requests.Session()
    sign_in(browser, running.public_url, "manager@acme.test", PASSWORD)
    audio = browser.get(
        f"{running.public_url}/audio/answers/{answers[0].id}.mp3",
        headers={"Range": "bytes=0-99"},
    )
    assert audio.status_code == 206 and len(audio.content) == 100
    assert audio.headers["Content-Range"].startswith("bytes 0-99/")
