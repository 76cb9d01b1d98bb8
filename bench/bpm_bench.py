"""`bpm_throughput`: instances/s of a 10-step lead process through Greenwave's BPM services
(every step a transaction: row lock, restore, advance, save the state, tasks, events) vs the
same BPMN run by SpiffWorkflow in memory (parse once, no persistence) — target ≥ 0.5.

The Node `bpmn-engine` comparison of the issue (target ≥ 4) is not measured here yet.
"""

from __future__ import annotations

import logging
import time

from greenwave.datagen.benchreport import BenchResult, verdict

TARGET = 0.5
STEPS = 10
STEP_NAMES = (
    "Принять лид",
    "Позвонить",
    "Квалифицировать",
    "Назначить встречу",
    "Провести встречу",
    "Заполнить анкету",
    "Подготовить КП",
    "Отправить КП",
    "Согласовать скидку",
    "Передать клоузеру",
)


def lead_process_xml() -> bytes:
    nodes = ['<bpmn:startEvent id="start"/>']
    previous = "start"
    for i, name in enumerate(STEP_NAMES, start=1):
        nodes.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{previous}" targetRef="t{i}"/>')
        nodes.append(f'<bpmn:userTask id="t{i}" name="{name}"/>')
        previous = f"t{i}"
    nodes.append(f'<bpmn:sequenceFlow id="f_end" sourceRef="{previous}" targetRef="end"/>')
    nodes.append('<bpmn:endEvent id="end"/>')
    body = "\n  ".join(nodes)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="bench_defs"
  targetNamespace="https://greenwave.example/bench">
 <bpmn:process id="bench_lead_10" name="Обработка лида (10 шагов)" isExecutable="true">
  {body}
 </bpmn:process>
</bpmn:definitions>""".encode()


def _spiff_rate(xml: bytes, seconds: float) -> float:
    from io import BytesIO

    from lxml import etree
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    parser = BpmnParser()
    parser.add_bpmn_xml(etree.parse(BytesIO(xml)), filename="bench.bpmn")
    spec = parser.get_spec("bench_lead_10")

    def one() -> None:
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        done = 0
        while not workflow.is_completed():
            task = workflow.get_next_task(state=TaskState.READY, manual=True)
            assert task is not None
            task.data["step"] = done
            task.run()
            workflow.do_engine_steps()
            done += 1
        assert done == STEPS

    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        one()
        count += 1
    return count / (time.perf_counter() - started)


def _greenwave_rate(xml: bytes, seconds: float) -> tuple[float, list[int]]:
    from greenwave.accounts.models import User
    from greenwave.bpm import services
    from greenwave.bpm.models import HumanTask, InstanceStatus, TaskStatus

    admin = User.objects.get(username="gen_admin_01")
    runner = User.objects.get(username="gen_hunter_01")
    definition = services.definition_upload_and_deploy(actor=admin, xml=xml, key="bench_lead_10")
    ids: list[int] = []

    def one() -> None:
        instance = services.instance_start(actor=runner, definition=definition)
        ids.append(instance.pk)
        for _step in range(STEPS):
            task = HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)
            services.task_complete(actor=runner, task=task, data={})
        instance.refresh_from_db()
        assert instance.status == InstanceStatus.COMPLETED

    one()  # warm-up
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        one()
        count += 1
    return count / (time.perf_counter() - started), ids


def _cleanup(ids: list[int]) -> None:
    from greenwave.bpm.models import ProcessInstance
    from greenwave.core.models import Event

    keys = [str(pk) for pk in ids]
    Event.objects.filter(case_type="process_instance", case_id__in=keys).delete()
    Event.objects.filter(case_type="human_task", links__object_id__in=keys).delete()
    ProcessInstance.objects.filter(pk__in=ids).delete()


def bench_bpm(*, seconds: float) -> BenchResult:
    xml = lead_process_xml()
    ids: list[int] = []
    # SpiffWorkflow logs every state change at INFO: silence both sides alike while timing.
    logging.disable(logging.INFO)
    try:
        ours, ids = _greenwave_rate(xml, seconds)
        ceiling = _spiff_rate(xml, seconds)
    finally:
        logging.disable(logging.NOTSET)
        if ids:
            _cleanup(ids)
    return verdict(
        "bpm_throughput",
        ours=ours,
        ceiling=ceiling,
        target=TARGET,
        details=f"10-step lead process: services with a saved state per step {ours:.1f} "
        f"instances/s vs SpiffWorkflow in memory {ceiling:.1f}/s; Node bpmn-engine "
        f"(target ≥ 4) not measured yet",
        figures={"ours_per_s": ours, "ceiling_per_s": ceiling},
    )
