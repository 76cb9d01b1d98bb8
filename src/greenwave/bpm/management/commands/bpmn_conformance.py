"""`manage.py bpmn_conformance PATH…`: import, validate, round-trip and run BPMN files.

A file passes when it is stored as a definition, read into Greenwave's model, exported
byte for byte as uploaded (so every id, the diagram and foreign extensions survive), and is
either executable or names exactly which elements the engine cannot execute. DMN files
found beside the BPMN files are stored in Decisions first (a business-rule task names its
decision by key); a process whose call activity names a process of another file is tried
again after the others are deployed.

With --run every deployed process is also started and driven: open tasks are completed
(with the values of `<file>.run.json` — `{"variables": {…}, "tasks": {"<element id>":
{…}}, "messages": [{"name": …, "payload": {…}}], "expect": {…}}` — or with a value per
required field), due timers fire, messages are sent; the run passes when the instance
reaches an end event without an incident, with the `expect`ed variables.

Nothing is kept unless --keep is given (then nothing is run). The output ends with the
summary line and the line `N passed, N failed`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.bpm import engine, services
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessDefinition, TaskStatus
from greenwave.core.errors import DomainError
from greenwave.decisions import services as decisions

NOT_DEPLOYED = "which is not deployed"
MAX_STEPS = 60


class _RollbackError(Exception):
    pass


@dataclass
class Outcome:
    ok: bool
    note: str
    executable: bool = False
    deployed: bool = False
    ran: bool | None = None  # None: not run


def check_file(data: bytes, *, name: str) -> tuple[bool, str]:
    """Import one file; (passed, note). Kept for callers of the old interface."""
    outcome = _check(data, name=name)
    return outcome.ok, outcome.note


def _check(data: bytes, *, name: str) -> Outcome:
    definition = services.definition_upload(actor=None, xml=data, key=f"conformance-{name}"[:100])
    exported = services.definition_export(definition=definition)
    if exported != data:
        lost = engine.element_ids(data) - engine.element_ids(exported)
        return Outcome(False, "the export differs from the upload: " + ", ".join(sorted(lost)))
    if not definition.is_executable:
        return Outcome(True, "model only (no executable process); imported and viewable")
    if definition.unsupported:
        unnamed = [u for u in definition.unsupported if not u.get("id")]
        if unnamed:
            reasons = "; ".join(str(u.get("reason")) for u in unnamed)
            return Outcome(False, "unsupported without an element: " + reasons, executable=True)
        return Outcome(
            True,
            "names unsupported: "
            + "; ".join(
                f"{u['id']} ({u.get('tag') or 'element'}): {u['reason']}"
                for u in definition.unsupported
            ),
            executable=True,
        )
    services.definition_deploy(actor=None, definition=definition)
    return Outcome(True, "deployable", executable=True, deployed=True)


def _value_for(field: dict[str, Any], username: str) -> Any:
    kind = field.get("type")
    if kind == "boolean":
        return True
    if kind in {"integer", "decimal"}:
        return field.get("min") or 1
    if kind == "date":
        return date.today().isoformat()
    if kind == "choice":
        return (field.get("choices") or [["x"]])[0][0]
    if kind == "user":
        return username
    return "conformance"


def run_definition(definition: ProcessDefinition, plan: dict[str, Any], runner: Any) -> str:
    """Drive one instance to its end; "" when it ended, else what stopped it."""
    instance = services.instance_start(
        actor=runner, definition=definition, variables=plan.get("variables") or {}
    )
    messages = list(plan.get("messages") or [])
    far = timezone.now() + timedelta(days=3650)
    for _step in range(MAX_STEPS):
        instance.refresh_from_db()
        if instance.status == InstanceStatus.FAILED:
            incident = instance.incidents.order_by("-pk").first()
            return f"incident at {incident.element_id}: {incident.error}" if incident else "failed"
        if instance.status != InstanceStatus.RUNNING:
            expected = plan.get("expect") or {}
            wrong = {k: instance.variables.get(k) for k, v in expected.items()}
            wrong = {k: v for k, v in wrong.items() if v != expected[k]}
            return f"ended, but with {wrong} instead of {expected}" if wrong else ""
        task = HumanTask.objects.filter(instance=instance, status=TaskStatus.OPEN).first()
        if task is not None:
            data = dict((plan.get("tasks") or {}).get(task.element_id) or {})
            for field in task.form_schema or []:
                if field.get("required") and field["name"] not in data:
                    data[field["name"]] = _value_for(field, runner.username)
            services.task_complete(actor=runner, task=task, data=data)
            continue
        if services.timers_fire_due(far, worker="conformance"):
            continue
        if messages:
            message = messages.pop(0)
            services.message_correlate(
                actor=None,
                name=message["name"],
                correlation_key=message.get("correlation_key", ""),
                payload=message.get("payload") or {},
            )
            continue
        return "waits with nothing to do (no task, timer or message left)"
    return f"still running after {MAX_STEPS} steps"


def _runner() -> Any:
    user, _created = User.objects.get_or_create(
        username="conformance-runner", defaults={"is_superuser": True, "is_staff": False}
    )
    return user


class Command(BaseCommand):
    help = "Import BPMN files, check the round trip keeps the bytes, deploy and (--run) run them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--keep", action="store_true", help="keep the imported definitions")
        parser.add_argument(
            "--run", action="store_true", help="start every deployed process and drive it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[Path] = []
        dmn: list[Path] = []
        for path in options["paths"]:
            if path.is_dir():
                files += sorted(path.glob("*.bpmn"))
                dmn += sorted(path.glob("*.dmn"))
            else:
                files.append(path)
        run = options["run"] and not options["keep"]
        try:
            with transaction.atomic():
                self._decisions(dmn)
                results = self._files(files, run=run)
                if not options["keep"]:
                    raise _RollbackError
        except _RollbackError:
            pass
        self._summary(results, run=run)

    def _decisions(self, paths: list[Path]) -> None:
        for path in paths:
            try:
                with transaction.atomic():
                    decisions.decision_save(actor=None, xml=path.read_bytes(), deploy=True)
                self.stdout.write(f"DMN {path.name}: stored and deployed")
            except (DomainError, OSError) as exc:
                self.stdout.write(f"DMN {path.name}: {getattr(exc, 'message', exc)}")

    def _one(self, path: Path) -> Outcome:
        try:
            with transaction.atomic():
                return _check(path.read_bytes(), name=path.stem)
        except DomainError as exc:
            return Outcome(False, exc.message)
        except (OSError, engine.EngineError, engine.BpmnFileError) as exc:
            return Outcome(False, str(exc))

    def _files(self, files: list[Path], *, run: bool) -> dict[Path, Outcome]:
        results = {path: self._one(path) for path in files}
        # A call of a process that another file deploys: once more, after the others.
        for path, outcome in list(results.items()):
            if outcome.executable and not outcome.deployed and NOT_DEPLOYED in outcome.note:
                results[path] = self._one(path)
        if run:
            runner = _runner()
            for path, outcome in results.items():
                if outcome.deployed:
                    self._run(path, outcome, runner)
        for path, outcome in results.items():
            ran = "" if outcome.ran is None else (" · run: ended" if outcome.ran else "")
            self.stdout.write(
                f"{'PASS' if outcome.ok else 'FAIL'} {path.name}: {outcome.note}{ran}"
            )
        return results

    def _run(self, path: Path, outcome: Outcome, runner: Any) -> None:
        plan_path = path.with_suffix(".run.json")
        plan = json.loads(plan_path.read_text()) if plan_path.exists() else {}
        definition = (
            ProcessDefinition.objects.filter(key=f"conformance-{path.stem}"[:100])
            .order_by("-version")
            .first()
        )
        if definition is None:
            return
        try:
            with transaction.atomic():
                stopped = run_definition(definition, plan, runner)
        except DomainError as exc:
            stopped = exc.message
        outcome.ran = not stopped
        if stopped:
            outcome.note += f" · run: {stopped}"

    def _summary(self, results: dict[Path, Outcome], *, run: bool) -> None:
        executable = [o for o in results.values() if o.executable]
        deployed = [o for o in executable if o.deployed]
        share = 100 * len(deployed) / len(executable) if executable else 100.0
        line = (
            f"files {len(results)}, imported {sum(o.ok for o in results.values())}, "
            f"executable {len(executable)}, deployed {len(deployed)} ({share:.0f} %)"
        )
        if run:
            ran = [o for o in deployed if o.ran]
            run_share = 100 * len(ran) / len(executable) if executable else 100.0
            line += f", ran to an end {len(ran)} ({run_share:.0f} % of executable)"
        self.stdout.write(line)
        passed = sum(o.ok for o in results.values())
        self.stdout.write(f"{passed} passed, {len(results) - passed} failed")
