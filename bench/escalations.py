"""How late escalation steps fire with many active escalations, and how fast an answer stops them.

Seeds N active escalations whose next step (notify the water liaison by SMS) comes due spread
evenly over --spread seconds, then runs W worker processes (the real EscalationWorker loop,
console SMS) until every one has fired and, 30 s later, told the department head unless answered.
Lateness = when the notification row was written minus when the step was due. Meanwhile a thread
acknowledges --acks escalations as soon as their first SMS is written and measures the answer's
transaction; afterwards it checks that none of them notified anyone after its answer.
Double notifications: two outbox rows for the same escalation, step and person, or the same SMS
(number and body, which carries the escalation's reply code) handed to the sender twice; every
worker process writes what it hands the console sender to a file of its own. Both must be 0.

    python -m bench.escalations --escalations 10000 --workers 2 [--database-url postgresql+psycopg://…/NAME]

A PostgreSQL URL names a database the benchmark creates (it must not exist) and drops afterwards.
"""

from __future__ import annotations

import argparse
import collections
import logging
import multiprocessing
import random
import json
import statistics
import tempfile
import threading
import time
from datetime import timedelta

from pathlib import Path

from sqlalchemy import func, insert, select

from bench.harness import bench_database, database_kind, machine, percentiles
from command import escalation
from command.escalation_worker import EscalationWorker
from command.migrate import upgrade
from command.models import Contact, Department, Escalation, Incident, Membership, Notification, Person, utcnow
from command.runtime import build_runtime
from command.sms.senders import ConsoleSender

STEPS = [
    {"type": "notify_liaisons", "departments": ["water"], "channels": ["sms"]},
    {"type": "wait", "minutes": 0.5},
    {"type": "if_not_acknowledged"},
    {"type": "notify_role", "role": "head", "department": "water", "channels": ["sms"]},
]


def _seed(database_url: str, count: int, spread: float) -> dict[int, float]:
    """Write the duty room, N incidents and N escalations; return each escalation's due time (epoch s)."""
    runtime = build_runtime({"DATABASE_URL": database_url})
    upgrade(runtime.engine)
    start = utcnow() + timedelta(seconds=2)
    with runtime.unit_of_work() as session:
        session.merge(Department(code="water", name_en="Water resources", name_zh="水利"))
        for username, post, number in (("liaison", "liaison", "+8613800000001"), ("head", "head", "+8613800000002")):
            person = Person(username=username, display_name=username, role="liaison")
            session.add(person)
            session.flush()
            session.add(Membership(person_id=person.id, department_code="water", post=post))
            session.add(Contact(person_id=person.id, position=1, channel="sms", address=number))
        session.execute(insert(Incident), [
            {"id": i, "source": "bench", "external_id": f"bench-{i}", "headline": f"河道水位超警 bench {i}",
             "received_at": start, "updated_at": start, "departments": ["water"], "severity": "severe"}
            for i in range(1, count + 1)])
        due = {i: start + timedelta(seconds=spread * (i - 1) / count) for i in range(1, count + 1)}
        session.execute(insert(Escalation), [
            {"id": i, "incident_id": i, "playbook": "bench", "snapshot": {"name": "bench", "steps": STEPS},
             "state": "active", "step": 0, "repeats": {}, "token": 0, "due_at": due[i],
             "reply_code": escalation.reply_code(i), "required_acks": 1, "created_at": start, "updated_at": start}
            for i in range(1, count + 1)])
    runtime.engine.dispose()
    return {i: moment.timestamp() for i, moment in due.items()}


def _work(database_url: str, name: str, stop_at: float, sends_path: str) -> None:
    logging.disable(logging.WARNING)  # the console SMS backend logs every message
    sends = open(sends_path, "a", buffering=1)
    console_send = ConsoleSender.send

    def send(self, to, body, status_callback):
        sends.write(json.dumps([to, body], ensure_ascii=False) + "\n")  # what this worker handed the sender
        return console_send(self, to, body, status_callback)

    ConsoleSender.send = send
    runtime = build_runtime({"DATABASE_URL": database_url, "ESCALATION_POLL_SECONDS": 0.05})
    worker = EscalationWorker(runtime, name=name)
    while time.time() < stop_at:
        if not worker.run_once():
            time.sleep(runtime.settings["ESCALATION_POLL_SECONDS"])
    runtime.engine.dispose()


def _acknowledge(database_url: str, due: dict[int, float], acks: int, results: list) -> None:
    """Answer escalations once their first SMS is written (the liaison got it); record each answer's time."""
    runtime = build_runtime({"DATABASE_URL": database_url})
    chosen = sorted(random.Random(7).sample(sorted(due), acks), key=due.get)
    for escalation_id in chosen:
        while True:
            with runtime.sessions() as session:
                if session.scalar(select(Notification.id).where(Notification.escalation_id == escalation_id)):
                    break
            time.sleep(0.02)
        began = time.perf_counter()
        with runtime.unit_of_work() as session:
            escalation.acknowledge(session, escalation_id, actor="liaison", person_id=None, answer="acknowledge",
                                   via="api", at=utcnow())
        results.append((escalation_id, (time.perf_counter() - began) * 1000, utcnow()))
    runtime.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--escalations", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which the steps come due")
    parser.add_argument("--acks", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    print(f"{args.escalations} active escalations, {args.workers} workers, steps due over {args.spread:.0f} s, "
          f"{machine()}", flush=True)
    with bench_database(args.database_url) as url, tempfile.TemporaryDirectory(prefix="vigil-bench-") as tmp:
        due = _seed(url, args.escalations, args.spread)
        stop_at = max(due.values()) + 60
        sends_paths = [str(Path(tmp) / f"sends-w{n}.jsonl") for n in range(args.workers)]
        workers = [multiprocessing.Process(target=_work, args=(url, f"w{n}", stop_at, sends_paths[n]))
                   for n in range(args.workers)]
        for process in workers:
            process.start()
        answers: list = []
        acker = threading.Thread(target=_acknowledge, args=(url, due, args.acks, answers))
        acker.start()
        runtime = build_runtime({"DATABASE_URL": url})
        while time.time() < stop_at:
            time.sleep(1)
            with runtime.sessions() as session:
                fired = session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1)) or 0
                unsent = session.scalar(select(func.count()).select_from(Notification)
                                        .where(Notification.status.in_(("pending", "unknown", "sending"))))
            if fired >= 2 * args.escalations - args.acks and not unsent:  # every first SMS, and the head's
                break                                                      # for the unanswered, all sent
        for process in workers:
            process.terminate()
            process.join()
        acker.join()
        with runtime.sessions() as session:
            rows = session.execute(select(Notification.escalation_id, Notification.created_at, Notification.step,
                                          Notification.status)).all()
            doubled_rows = session.execute(
                select(Notification.escalation_id, Notification.step, Notification.person_id,
                       func.count().label("n"))
                .group_by(Notification.escalation_id, Notification.step, Notification.person_id,
                          Notification.channel).having(func.count() > 1)).all()
        runtime.engine.dispose()
        handed = collections.Counter()
        per_worker = []
        for path in sends_paths:
            lines = Path(path).read_text().splitlines() if Path(path).exists() else []
            per_worker.append(len(lines))
            handed.update(lines)
    first: dict[int, float] = {}
    for row in rows:
        if row.step == 0:
            first[row.escalation_id] = min(first.get(row.escalation_id, float("inf")), row.created_at.timestamp())
    late_ms = [(first[i] - due[i]) * 1000 for i in first]
    answered = {escalation_id: at for escalation_id, _, at in answers}
    after = [row for row in rows if row.escalation_id in answered and row.created_at > answered[row.escalation_id]]
    heads = {row.escalation_id for row in rows if row.step == 3}
    sent = sum(1 for row in rows if row.status == "sent")
    doubled_sends = sum(count - 1 for count in handed.values() if count > 1)
    print(f"database: {database_kind(url)}")
    print(f"steps fired: {len(first)}/{args.escalations}; SMS sent by the console backend: {sent} of {len(rows)} "
          f"written to the outbox when the workers stopped "
          f"(handed to the sender by worker: {', '.join(str(n) for n in per_worker)})")
    print(f"step lateness ms: {percentiles(late_ms)}")
    print(f"answer transaction ms ({len(answers)} answers under load): "
          f"{percentiles([ms for _, ms, _ in answers])}")
    print(f"notifications written after an answer: {len(after)}; the head was told for "
          f"{len(heads - set(answered))}/{len(set(due) - set(answered))} unanswered escalations and "
          f"{len(heads & set(answered))}/{len(answered)} answered ones "
          f"(an answer stops further notifications when its transaction commits)")
    print(f"double notifications: {len(doubled_rows)} outbox rows for the same escalation, step and person; "
          f"{doubled_sends} SMS handed to the sender more than once (both must be 0)")
    if late_ms:
        print(f"mean lateness {statistics.mean(late_ms):.1f} ms")


if __name__ == "__main__":
    main()
