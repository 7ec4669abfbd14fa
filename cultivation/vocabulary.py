"""The words the tracker shows for its codes, defined once: tiers, screening outcomes and rule
sets, application programmes, job outcomes and triggers, mail statuses.

Pages (the ``vocab`` Jinja global), exports and mail all read these tables; a label is never
spelled again in a template or a query module. The UI is Chinese only, so this is a plain
module rather than a translation catalogue.
"""

from __future__ import annotations

TIER_LABELS = {
    "none": "未入梯",
    "startup": "科技型初创",
    "tech_sme": "科技型中小",
    "hnte": "高新技术企业",
    "leading": "创新型领军",
}

OUTCOME_LABELS = {
    "eligible": "符合", "borderline": "临界", "incomplete": "数据不全", "ineligible": "不符合",
}
OUTCOME_BADGES = {
    "eligible": "text-bg-success", "borderline": "text-bg-warning",
    "incomplete": "text-bg-secondary", "ineligible": "text-bg-danger",
}
RULES_LABELS = {
    "hnte": "高新技术企业", "tech-sme": "科技型中小企业（国家评价）",
    "zj-tech-sme": "浙江省科技型中小企业",
    "provincial-hnte-center": "省级高新技术企业研究开发中心",
    "provincial-institute": "省级企业研究院", "leading": "浙江省创新型领军企业",
}
# The 梯次看板's cards: short programme names.
RULES_SHORT_LABELS = {"hnte": "高企", "tech-sme": "国家科小", "zj-tech-sme": "省科小"}
CANDIDATE_CHANGES = {"new": "新增", "dropped": "退出"}
# 培育库: a first application, or a renewal of a certificate ending before the renewal horizon
APPLICATION_LABELS = {"first": "首次申报", "renewal": "重新认定"}

PROGRAMME_LABELS = {
    "hnte": "高新技术企业认定",
    "tech_sme": "国家科技型中小企业评价",
    "zj_tech_sme": "浙江省科技型中小企业",
    "provincial_hnte_center": "省级高新技术企业研究开发中心",
    "provincial_institute": "省级企业研究院",
    "leading": "创新型领军企业",
}

JOB_OUTCOME_LABELS = {
    "queued": "排队中",  # 立即运行 from the web page: the scheduler process picks it up
    "running": "运行中",
    "success": "成功",
    "failed": "失败",
    "interrupted": "已中断",
}
# What a job run's counts mean (作业记录, `jobs run` output); a key without a label shows as is.
JOB_COUNT_LABELS = {
    "run": "筛选批次", "firms": "企业", "evaluations": "评估", "candidates_total": "候选企业",
    "new_total": "新增候选", "dropped_total": "退出候选", "pruned_runs": "清理旧批次",
    "pruned_evaluations": "清理旧评估", "relinked_runs": "重新关联批次",
    "reminders_due": "今日应发提醒", "no_screening_rules": "无筛选规则的窗口", "items": "提醒事项",
    "items_new": "新提醒事项", "leaders": "领导", "queued": "已排队邮件",
    "duplicate": "重复未发", "opted_out": "已退订", "no_address": "无邮箱",
    "sent": "已发送", "retry": "待重试", "failed": "发送失败", "recovered": "收回超时",
    "abandoned": "放弃", "held": "暂存",
    "pending": "清理未完成的导入", "discarded": "清理已放弃的导入",
    "listed_covered": "上市企业已覆盖", "listed_population": "上市企业",
    "above_scale_hnte_covered": "规上高企已覆盖", "above_scale_hnte_population": "规上高企",
    "above_scale_tech_covered": "规上科技型企业已覆盖",
    "above_scale_tech_population": "规上科技型企业",
}
JOB_TRIGGER_LABELS = {"scheduler": "定时", "cli": "命令行", "web": "手动（页面）",
                      "startup": "启动补跑"}

MAIL_STATUS_LABELS = {
    "pending": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "failed": "发送失败",
}

TODO_KIND_LABELS = {
    "followup": "走访跟进",
    "expiry": "资格到期",
    "annual_report": "高企年报",
    "window": "申报窗口",
    "candidate": "新增培育对象",
    "import": "导入待确认",
    "leader_digest": "月度摘要",
    "job_failed": "定时任务失败",
    "mail_failed": "邮件发送失败",
}
TODO_STATUS_LABELS = {
    "open": "待办",
    "done": "已完成",
    "dismissed": "不再提醒",
    "resolved": "已自动关闭",
}
