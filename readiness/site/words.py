"""The site's vocabulary, written once in both languages: the site report in the terminal
(reports/site_text.py), the server's pages (serve/pages.py) and the dashboard's and phone page's
scripts, which get this table as JSON (`words()`) and look words up by key. A word the scripts
ask for and this table lacks is a test failure (tests/serve/test_words.py), never a key on the page.
"""

from __future__ import annotations

from typing import Any

from readiness.core.exam import STATES as DEADLINE_STATES
from readiness.core.i18n import Text
from readiness.core.model import STATUS_LABELS, Status

WORDS: dict[str, Text] = {
    # -- a site's counts and rules (the site report and the dashboard) ---------------------------
    "site": Text("Site", "考点"), "reports": Text("Reports", "报告"), "of": Text("of", "/"),
    "seats": Text("seats", "个机位"), "missing": Text("missing", "未提交"),
    "ready": Text("ready", "就绪"), "warned": Text("warned", "警告"), "notready": Text("not ready", "未就绪"),
    "undetermined": Text("undetermined", "无法判断"), "downlink": Text("Downlink", "下行带宽"),
    "best": Text("best", "最高"), "median": Text("median", "中位数"), "need": Text("need", "要求"),
    "load": Text("paper load for all seats", "全部机位加载试卷"), "plan": Text("plan", "预案"),
    "nomeasure": Text("not measured (offline runs)", "未测量（离线运行）"), "egress": Text("Egress IPs", "出口 IP"),
    "unregistered": Text("NOT REGISTERED", "未登记"), "versions": Text("Client versions", "客户端版本"),
    "tool_versions": Text("Checked by readiness", "检查所用 readiness 版本"),
    "server_version": Text("Server's readiness", "服务器 readiness 版本"),
    "check": Text("Check", "检查项"), "problems": Text("Machines with problems", "有问题的考试机"),
    "fix": Text("Fix", "处理"), "rejected": Text("Rejected inputs", "未采用的文件"),
    "superseded": Text("older reports superseded by a newer run of the same PC", "份旧报告被同一台机器的新报告取代"),
    "mode_stored": Text("Verdicts as stored in the reports.", "采用报告中保存的结论。"),
    "mode_rejudged": Text("Re-judged every machine's facts with profile", "已按配置重新判定各机器的采集信息："),
    "all": Text("All sites", "全部考点"), "PCs": Text("PCs", "台"),
    "page_lang": Text("English first, the Chinese small beside it (--lang zh: Chinese first)",
                      "中文在前，英文以小字附后（英文版则英文在前）"),
    # -- the server's pages ------------------------------------------------------------------------
    "title": Text("Exam readiness — site dashboard", "考前就绪检查 — 考点看板"),
    "login": Text("Enter the manager's key (printed when the server started).", "请输入管理员密钥（服务器启动时显示）。"),
    "wrong": Text("That key is not right.", "密钥不正确。"),
    "open": Text("Open", "打开"),
    "downloads": Text("Download the site report", "下载考点汇总"),
    "rounds": Text("rehearsal rounds (JSON)", "演练记录（JSON）"),
    "phone_qr": Text("Invigilators: scan to check your phone", "监考人员：扫码检查手机"),
    "phone_cert": Text(
        "The phone's browser warns once of this server's own (self-signed) certificate. On Android (Chrome) tap "
        "\"Advanced\", then \"Proceed to ... (unsafe)\"; on an iPhone (Safari) tap \"Show Details\", then \"visit this "
        "website\". The certificate's SHA-256 fingerprint (under its details) must be:",
        "手机浏览器会对本服务器自己的（自签名）证书提示一次。安卓手机（Chrome）点\"高级\"，再点\"继续前往……（不安全）\"；"
        "iPhone（Safari）点\"显示详细信息\"，再点\"访问此网站\"。证书详情中的 SHA-256 指纹应为："),
    "machine": Text("Machine", "考试机"), "back": Text("Back to the dashboard", "返回看板"),
    "results": Text("Results", "检查结果"), "facts": Text("Facts", "采集信息"),
    "received": Text("Received", "接收时间"), "from": Text("from", "来自"), "checked": Text("Checked", "检查时间"),
    "times_in": Text("Times in {n}, the exam's time zone", "时间均按考试所在时区 {n}"),
    "no_results": Text("This report holds no check result: its verdict cannot be decided.",
                       "这份报告没有任何检查结果，无法判断。"),
    "machine_superseded": Text("A newer report of this machine counts on the dashboard.", "看板以此机器更新的报告为准。"),
    "status": Text("Status", "状态"), "observed": Text("Observed", "实际"), "expected": Text("Expected", "要求"),
    "message": Text("Message", "说明"), "remedy": Text("Remedy", "处理办法"),
    # -- the dashboard -----------------------------------------------------------------------------
    "nosite": Text("No report yet. Run readiness check --submit on the exam PCs.",
                   "尚无报告。请在考试机上运行 readiness check --submit。"),
    "live": Text("live", "实时"), "offline": Text("Connection to the server lost, retrying…", "与服务器的连接中断，正在重试…"),
    "reverted": Text("Passed before, failing again (changes lost at restart?)", "曾通过、现又未通过（重启后修改丢失？）"),
    "rejected_reports": Text("Rejected reports", "被拒绝的报告"),
    "why": Text("Why, and what to do", "原因与处理"), "hide": Text("Hide", "隐藏"), "show_again": Text("Show again", "恢复显示"),
    "hidden": Text("Hidden machines (not counted)", "已隐藏的考试机（不计入）"),
    "confirm_hide": Text("Hide this machine? It no longer counts for the site (re-imaged under a new machine id, or "
                         "no longer used). The action is logged, and you can show it again.",
                         "隐藏此考试机？它将不再计入考点结论（如重装后机器标识已变，或已不再使用）。此操作会被记录，可随时恢复显示。"), "clone": Text("shared machine id", "机器标识重复"),
    "lastseen": Text("seen", "最近"),
    "phones": Text("Invigilators' phones", "监考手机"), "room": Text("Room", "考场"), "name": Text("Name", "姓名"),
    "device": Text("Device", "设备"), "app": Text("App version", "App 版本"), "verdict": Text("Verdict", "结论"),
    "reasons": Text("Reasons", "原因"), "noroom": Text("(no room given)", "（未填考场）"),
    "nophones": Text("No phone checked yet.", "尚无手机提交。"),
    # -- the rehearsal on the dashboard --------------------------------------------------------------
    "rehearsal": Text("Exam-start rehearsal", "开考演练"), "seats_waiting": Text("Seats waiting", "等待中的机位"),
    "start": Text("Start a round", "开始一轮演练"),
    "confirm": Text("Every waiting seat will download a paper-sized file at the same moment, a few seconds from now. "
                    "Start?", "所有等待中的机位将在几秒后同时下载一份试卷大小的文件。开始？"),
    "round": Text("Round {n}", "第 {n} 轮"), "state": Text("State", "状态"),
    "joined": Text("joined", "参加"), "late": Text("late (left out)", "迟到（未计入）"),
    "times": Text("completion p50 / p95 / max", "完成用时 p50 / p95 / 最长"),
    "throughput": Text("aggregate throughput", "总吞吐量"), "slowest": Text("slowest seats", "最慢的机位"),
    "seat": Text("Seat", "机位"), "finish": Text("finish (s)", "完成（秒）"), "rate": Text("rate", "速率"),
    "norounds": Text("No round yet. Run readiness rehearse on the exam PCs.", "尚未演练。请在各考试机上运行 readiness rehearse。"),
    "advice": Text("Run three rounds at the time of day of the exam.", "建议在考试当天的同一时段演练三轮。"),
    "stop": Text("Stop this round", "停止本轮"), "stopped": Text("stopped by the manager", "已由管理员停止"),
    # a round's states and a seat's (GET /api/rehearsals/latest: state, seats[].status)
    "scheduled": Text("scheduled", "即将开始"), "running": Text("running", "进行中"), "done": Text("done", "已结束"),
    "waiting": Text("waiting", "等待中"), "finished": Text("finished", "完成"), "failed": Text("failed", "失败"),
    "unfinished": Text("not finished", "未完成"), "interrupted": Text("interrupted", "已中断"),
    # -- the exam timeline and the branch on the site dashboard ---------------------------------------
    "exam": Text("Exam day", "考试安排"), "nostart": Text("No exam start ahead (exam.starts_at in the profile).",
                                                        "没有即将开始的考试（配置文件中的 exam.starts_at）。"),
    "next_start": Text("Next start", "下一场开考"), "under_way_since": Text("Exam under way since", "考试进行中，开考于"),
    "in": Text("in", "还有"),
    "escalate_now": Text("NOT READY within {n} minutes of the start: report to the branch now (the plan).",
                         "距开考已不足 {n} 分钟仍未就绪：请立即上报分部（预案要求）。"),
    "mark_done": Text("Mark done", "标记完成"), "undo_tick": Text("Undo", "撤销"),
    "confirm_tick": Text("Confirm that the invigilators are assigned for this exam in the exam system? The time is "
                         "recorded.", "确认已在考试系统中为本场考试编排监考教师？将记录确认时间。"),
    "upstream": Text("Reporting to the branch", "向分部上报"),
    "delivered": Text("delivered", "已送达"), "not_delivered": Text("not delivered since", "未送达，自"),
    "kept": Text("kept, sent again when the branch can be reached", "已保留，分部可连接时重新发送"),
    "never_delivered": Text("nothing delivered yet", "尚未送达"),
    "branch_page": Text("Branch page", "分部看板"),
    "site_page": Text("Site dashboard", "考点看板"),  # on the branch page of a server that is both
    # -- the branch: its dashboard, a site's last document, the branch table's files -----------------
    "branch_title": Text("Exam readiness — branch dashboard", "考前就绪检查 — 分部看板"),
    "branch": Text("Branch", "分部"), "sites": Text("Sites", "考点"),
    "branch_downloads": Text("Download the branch table", "下载分部汇总"),
    "escalate": Text("ESCALATE", "需上报"), "stale": Text("SILENT", "已失联"),
    "escalating": Text("to escalate", "需上报"), "silent": Text("silent or never heard from", "失联或从未上报"),
    "never_heard": Text("never heard from", "从未上报"),
    "refused": Text("Its last document was refused", "最近一次上报被拒绝"),
    "longest": Text("max", "最长"), "unreadable": Text("The server's answer could not be read", "无法读取服务器的回应"),
    "unit_d": Text("d", "天"), "unit_h": Text("h", "小时"), "unit_min": Text("min", "分"), "unit_s": Text("s", "秒"),
    "last_seen": Text("Last seen", "最近上报"), "min_ago": Text("{n} min ago", "{n} 分钟前"),
    "next_exam": Text("Next exam", "下一场考试"), "in_time": Text("in {n}", "还有 {n}"),
    "then_exam": Text("then", "随后"), "under_way": Text("under way", "进行中"), "no_exam": Text("no exam start set", "未设置开考时间"),
    "deadlines": Text("Deadlines", "时间节点"), "findings": Text("Findings", "发现的问题"),
    "no_rehearsal": Text("no rehearsal yet", "尚未演练"), "rehearsed": Text("rehearsed", "已演练"),
    "open_site": Text("Open this site's last document", "查看该考点最近一次上报"),
    "back_branch": Text("Back to the branch dashboard", "返回分部看板"),
    "sent": Text("Sent", "上报时间"), "generated": Text("Generated", "生成时间"),
    "no_sites": Text("No site is configured ([branch.sites] in the profile).", "未配置考点（配置文件中的 [branch.sites]）。"),
    "due": Text("due", "截止"), "yes": Text("yes", "是"), "no": Text("no", "否"),
    "machines_hidden": Text("more machines with problems are in the site's own download",
                            "更多有问题的考试机见该考点自己的下载文件"),
    **{f"deadline_{k}": v for k, v in DEADLINE_STATES.items()},  # the one table of a deadline's states
    # -- the printable site page (reports/templates/site.html) and its site section, shared with the
    #    branch's page of a site ----------------------------------------------------------------------
    "page_site": Text("Exam site readiness", "考点考试机就绪报告"), "page_site_title": Text("Site readiness", "考点就绪报告"),
    "seats_grid": Text("Seats", "机位"), "no_report": Text("no report", "未提交"), "checks": Text("Checks", "检查项"),
    "network": Text("Network and client", "网络与客户端"), "need_downlink": Text("Downlink needed", "所需下行带宽"),
    "measured": Text("Best / median measured", "实测最高 / 中位数"),
    "load_all": Text("All seats load a paper in", "全部机位加载试卷"), "egress_seen": Text("Egress IPs seen", "出口 IP"),
    "pc": Text("PC", "考试机"), "what_happened": Text("What happened", "情况"), "remedies": Text("Remedies", "处理办法"),
    "signature": Text("Site manager", "考点负责人签字"), "date": Text("Date", "日期"), "site_name": Text("Name", "名称"),
    "no_site_id": Text("(no site id)", "（无考点编号）"), "no_usable": Text("No usable report found.", "没有可用的报告。"),
    "rehearsals": Text("Exam-start rehearsals", "开考演练"),
    "no_round_run": Text("No round was run (the plan advises three, at the time of day of the exam).",
                         "未进行演练（建议在开考同一时段演练三轮）。"),
    "round_col": Text("Round", "轮次"), "start_col": Text("Start", "开始"), "finished_col": Text("Finished / seats", "完成 / 机位"),
    "times_col": Text("p50 / p95 / max, s", "p50 / p95 / 最长（秒）"), "plan_col": Text("Against the plan", "对照预案"),
    "throughput_col": Text("Throughput, Mbit/s", "总吞吐（Mbit/s）"), "unfinished_col": Text("Did not finish", "未完成"),
    "failed_col": Text("Failed", "失败"), "late_col": Text("Joined late", "迟到"),
    "round_stopped": Text("stopped", "已中止"), "round_interrupted": Text("the server stopped during it", "演练中服务器停止"),
    # -- the phone page ----------------------------------------------------------------------------
    "phone_title": Text("Check an invigilator's phone", "检查监考手机"),
    "phone_intro": Text("Open this page on the phone that will run the identity-check app. Type the app's version "
                        "from its About page, your name and room, and send.",
                        "请在将运行身份核验 App 的手机上打开本页，填写 App“关于”页中的版本号、姓名和考场后提交。"),
    "phone_link": Text("This link is not the phone link of this server: scan the QR code on the site manager's "
                       "dashboard again.", "此链接不是本服务器的手机检查链接：请重新扫描考点管理员看板上的二维码。"),
    "app_field": Text("App version (identity-check app → About)", "App 版本（身份核验 App → 关于）"),
    "memory_field": Text("Android only: memory (RAM) in GB, from Settings → About phone → RAM; empty if unsure",
                         "仅 Android：运行内存（GB），见 设置 → 关于手机 → 运行内存；不确定请留空"),
    "name_field": Text("Your name", "姓名"), "send": Text("Check", "检查"),
    "sending": Text("Sending…", "正在提交…"), "unreachable": Text("Cannot reach the server: ", "无法连接服务器："),
}


def words() -> dict[str, Any]:
    """What the pages' scripts get: every word ({en, zh}) and the status labels."""
    return {"words": {k: v.to_dict() for k, v in WORDS.items()},
            "status": {s.value: STATUS_LABELS[s].to_dict() for s in Status}}
