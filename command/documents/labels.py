"""Every word the documents print, in Chinese and English (command/ has no gettext: documents pick by language).

``labels(language)`` gives the templates one flat mapping; ``name(group, value,
language)`` translates a stored code (severity, grade, post, report kind …) and
falls back to the code itself, so a value added elsewhere still prints.
"""

from __future__ import annotations

LANGUAGES = ("zh", "en")

_LABELS: dict[str, tuple[str, str]] = {
    # titles
    "vigil": ("Vigil 值班室", "Vigil duty room"),
    "daily_title": ("值班日报", "Daily duty report"),
    "monthly_title": ("信息报送月报（迟报、漏报）", "Monthly reporting record (late and missed reports)"),
    "handover_title": ("交接班记录", "Shift handover"),
    "report_title": ("突发事件信息报告", "Incident report"),
    "generated": ("生成时间", "Generated"),
    "requested_by": ("申请人", "Requested by"),
    "time_zone": ("时区", "Time zone"),
    "page": ("第 {page} 页，共 {pages} 页", "Page {page} of {pages}"),
    "none": ("无", "None"),
    "more_not_shown": ("另有 {count} 条未列出", "{count} more not shown"),
    "exercise": ("演练", "EXERCISE"),
    # daily sections
    "day": ("日期", "Date"),
    "summary": ("概况", "Summary"),
    "on_duty": ("值班安排", "On duty"),
    "incidents_opened": ("新接报事件", "Incidents opened"),
    "grading": ("事件分级", "Grading"),
    "escalations": ("通知与响应", "Escalations and answers"),
    "significant_log": ("重要值班记录", "Significant log entries"),
    "reports": ("信息报送", "Reports"),
    "reports_filed": ("已报送", "Reports filed"),
    "reports_late": ("迟报", "Late (迟报)"),
    "reports_missed": ("漏报", "Missed (漏报)"),
    "reports_open": ("待报送", "Still due"),
    "count_incidents": ("新接报事件数", "Incidents opened"),
    "count_graded": ("分级调整数", "Grade changes"),
    "count_escalations": ("启动通知数", "Escalations started"),
    "count_answers": ("响应数", "Answers"),
    "count_significant": ("重要记录数", "Significant entries"),
    # columns
    "shift": ("班次", "Shift"),
    "from": ("开始", "From"),
    "until": ("结束", "Until"),
    "duty_officer": ("值班员", "Duty officer"),
    "leader": ("带班领导", "Leader on duty"),
    "handover": ("交接班", "Handover"),
    "signed": ("已签字", "signed"),
    "unsigned": ("未签字", "not signed"),
    "received": ("接报时间", "Received"),
    "occurred": ("发生时间", "Occurred"),
    "incident": ("事件", "Incident"),
    "headline": ("标题", "Headline"),
    "category": ("类别", "Category"),
    "severity": ("严重程度", "Severity"),
    "grade": ("分级", "Grade"),
    "status": ("状态", "Status"),
    "source": ("来源", "Source"),
    "address": ("地点", "Place"),
    "departments": ("相关部门", "Departments"),
    "time": ("时间", "Time"),
    "change": ("变更", "Change"),
    "by": ("操作人", "By"),
    "reason": ("理由", "Reason"),
    "playbook": ("预案", "Playbook"),
    "state": ("状态", "State"),
    "answers": ("响应", "Answers"),
    "started": ("启动时间", "Started"),
    "author": ("记录人", "Author"),
    "kind": ("类型", "Kind"),
    "entry": ("记录", "Entry"),
    "report_kind": ("报告类型", "Report"),
    "channel": ("方式", "Channel"),
    "filed_by": ("报送人", "Filed by"),
    "filed_at": ("报送时间", "Filed at"),
    "due_at": ("时限", "Due"),
    "late_minutes": ("迟报分钟数", "Minutes late"),
    "rule": ("规则", "Rule"),
    "base_clock": ("起算时间", "Counted from"),
    # report
    "series": ("报告序列", "Series"),
    "fields": ("报告内容", "Content"),
    "to_verify": ("待核实", "to be verified"),
    "to_verify_note": ("标注“待核实”的内容尚未核实。", "Items marked “to be verified” (待核实) are not yet confirmed."),
    "obligations_met": ("对应报送时限", "Obligations it answers"),
    "on_time": ("按时", "On time"),
    # handover
    "outgoing": ("交班", "Outgoing"),
    "incoming": ("接班", "Incoming"),
    "drafted_at": ("起草时间", "Drafted"),
    "signatures": ("签字", "Signatures"),
    "outgoing_officer": ("交班人", "Outgoing officer"),
    "incoming_officer": ("接班人", "Incoming officer"),
    "signed_at": ("签字时间", "Signed at"),
    "sensitive": ("敏感", "sensitive"),
    "next_step": ("下一步时间", "Next step due"),
    "overdue": ("已超时", "overdue"),
    "why_open": ("未完成原因", "Why open"),
    "settled": ("已办结说明", "Settled"),
    # monthly
    "month": ("月份", "Month"),
    "department": ("部门", "Department"),
    "obligations": ("应报数", "Obligations"),
    "late": ("迟报", "Late (迟报)"),
    "missed": ("漏报", "Missed (漏报)"),
    "open": ("未到期/待报", "Open"),
    "late_minutes_total": ("迟报累计分钟", "Minutes late in all"),
    "total": ("合计", "Total"),
    "late_and_missed": ("迟报、漏报明细", "Late and missed, one by one"),
    "unassigned": ("未指定部门", "No department"),
    "monthly_note": ("一个事件涉及多个部门时，其报送时限计入每个相关部门；合计按事件计一次。",
                     "An obligation on an incident concerning several departments counts for each of them; "
                     "the total counts it once."),
}

_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "severity": {"extreme": ("特别严重", "extreme"), "severe": ("严重", "severe"), "moderate": ("较重", "moderate"),
                 "minor": ("一般", "minor"), "unknown": ("未知", "unknown")},
    "grade": {"I": ("I 级（特别重大）", "I (particularly serious)"), "II": ("II 级（重大）", "II (serious)"),
              "III": ("III 级（较大）", "III (relatively serious)"), "IV": ("IV 级（一般）", "IV (ordinary)")},
    "post": {"duty_officer": ("值班员", "duty officer"), "leader": ("带班领导", "leader on duty")},
    "channel": {"phone": ("电话报告", "phone"), "written": ("书面报告", "written")},
    "obligation_status": {"open": ("待报", "open"), "filed": ("按时报送", "filed on time"),
                          "late": ("迟报", "late"), "missed": ("漏报", "missed")},
    "escalation_state": {"active": ("等待响应", "waiting for an answer"), "acknowledged": ("已确认", "acknowledged"),
                         "resolved": ("已处置", "resolved"), "finished": ("已结束", "finished"),
                         "cancelled": ("已取消", "cancelled"), "superseded": ("已被取代", "superseded")},
    "answer": {"acknowledge": ("确认收到", "acknowledged"), "going": ("正在前往", "going"),
               "not_ours": ("非本部门", "not ours")},
    "incident_status": {"new": ("新接报", "new"), "acknowledged": ("已确认", "acknowledged"),
                        "responding": ("处置中", "responding"), "resolved": ("已处置", "resolved"),
                        "closed": ("已关闭", "closed"), "cancelled": ("已撤销", "cancelled"),
                        "merged": ("已合并", "merged")},
    "base_clock": {"occurred_at": ("事发时间", "occurred at"), "received_at": ("接报时间", "received at"),
                   "triggered_at": ("定级时间", "triggered at")},
    "draft": {"open_incidents": ("未结事件", "Open incidents"),
              "unacknowledged_escalations": ("未响应的通知", "Unanswered escalations"),
              "escalations": ("未响应的通知", "Unanswered escalations"),
              "reports_due": ("待报送信息", "Reports due"), "open_items": ("未完成事项", "Unfinished items"),
              "notes": ("备注", "Notes")},
    "item_reason": {"carried_over": ("上一班移交", "carried over"),
                    "phone_call_without_incident": ("来电未关联事件", "call, no incident"),
                    "significant": ("重要记录", "significant entry")},
    "log_kind": {"incident_opened": ("新事件", "incident opened"), "incident_updated": ("事件更新", "incident updated"),
                 "incident_graded": ("事件定级", "incident graded"), "escalation_step": ("通知步骤", "escalation step"),
                 "escalation_failed": ("通知失败", "escalation failed"),
                 "escalation_overdue": ("通知超时", "escalation overdue"), "acknowledgement": ("响应", "answer"),
                 "sms_sent": ("短信已发", "SMS sent"), "sms_delivered": ("短信送达", "SMS delivered"),
                 "sms_failed": ("短信失败", "SMS failed"), "phone_call": ("电话记录", "phone call"),
                 "note": ("备注", "note"), "handover": ("交接班", "handover"), "report_filed": ("信息报送", "report filed"),
                 "report_late": ("迟报", "report late"), "report_missed": ("漏报", "report missed"),
                 "roster_swap": ("值班调换", "roster swap"), "correction": ("更正", "correction"),
                 "significant_flag": ("重要标记", "significance"), "feed_silent": ("数据源中断", "feed silent"),
                 "audit": ("审计", "audit")},
}


def check_language(language: str) -> str:
    """Return ``language`` if it is zh or en, else raise ValueError."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    return language


def labels(language: str) -> dict[str, str]:
    """Every label in ``language``."""
    index = LANGUAGES.index(check_language(language))
    return {key: pair[index] for key, pair in _LABELS.items()}


def name(group: str, value, language: str) -> str:
    """The word for a stored code in ``language``; the code itself when there is none."""
    pair = _NAMES.get(group, {}).get(value)
    return pair[LANGUAGES.index(language)] if pair else ("" if value is None else str(value))
