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
CANDIDATE_CHANGES = {"new": "新增", "dropped": "退出"}

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
