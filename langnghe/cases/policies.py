"""Default categories and their deadline policies, citing the law (reference/vn-domain.md §2).

A policy is a list of steps. Each step: ``step`` (code), ``label``, ``amount`` + ``unit``
(hours | days | working_days | months, see calendar.py), ``anchor`` (received: when the case
arrived; accepted: when it was first assigned = thụ lý), ``when`` (a condition on the case, see
deadlines.CONDITIONS), ``met_by`` (workflow events that complete it; resolving or declining
completes every step), ``law`` and optional ``extensions`` (each either ``to``: a new limit from
the anchor, or ``add``: added to the current limit). Admins can edit them as data; the
migration loads these defaults and ``langnghe cases_categories`` re-applies them.
"""

# Retention after the last activity of a closed case (retention.py): sealed content and files
# are then deleted, the statistics row stays. NĐ 13/2023/NĐ-CP Điều 3 (nguyên tắc): personal
# data are kept only as long as the purpose needs. The figures themselves — 5 years for crime
# reports, complaints and denunciations, 2 years for other feedback — are a working choice, not
# found in a legal text [U]; the archive rules of the Ministry (Luật Lưu trữ 2024 and its
# circulars) may require longer for records opened as dossiers. Admins can edit them per category.
TTLT_01_2017 = "TTLT 01/2017/TTLT-BCA-BQP-BTC-BNN&PTNT-VKSNDTC (sửa đổi bởi TTLT 01/2021)"

# Never shown in public lists, nor their result published by an officer: a crime tip's outcome
# is part of an investigation (BLTTHS 2015 Điều 145), and a denunciation's reporter is protected
# (Luật Tố cáo 2018 Điều 47, 48). Also applies to a case the triage read as one of these.
NEVER_PUBLIC_CATEGORIES = ("crime_report", "denunciation")


def result_may_be_public(case) -> bool:
    """Whether an officer may publish this case's result or guidance (``Case.public_summary``)."""
    return (
        case.category.code not in NEVER_PUBLIC_CATEGORIES
        and case.triage_category not in NEVER_PUBLIC_CATEGORIES
    )


DEFAULT_CATEGORIES = [
    {
        "code": "crime_report",
        "name": "Tố giác, tin báo về tội phạm",
        "description": "Báo tin về hành vi có dấu hiệu tội phạm (trộm cắp, lừa đảo, ma túy, "
        "cố ý gây thương tích…). Có thể gửi ẩn danh.",
        "order": 1,
        "retention_days": 1825,  # RETENTION [U]
        "allows_anonymous": True,
        "legal_basis": "BLTTHS 2015 Điều 144–147; " + TTLT_01_2017 + "; TT 28/2020/TT-BCA",
        "deadline_policy": [
            {
                "step": "classify",
                "label": "Phân loại, xử lý ban đầu",
                "amount": 24,
                "unit": "hours",
                "anchor": "received",
                "when": "always",
                "met_by": ["classified", "transferred"],
                "law": TTLT_01_2017 + ": phân loại trong 24 giờ",
            },
            {
                "step": "acknowledge",
                "label": "Thông báo đã tiếp nhận cho người báo tin",
                "amount": 3,
                "unit": "working_days",
                "anchor": "received",
                "when": "always",
                "met_by": ["replied"],
                "law": TTLT_01_2017 + ": thông báo bằng văn bản trong 3 ngày làm việc",
            },
            {
                "step": "forward_urgent",
                "label": "Công an xã chuyển tin khẩn cấp",
                "amount": 24,
                "unit": "hours",
                "anchor": "received",
                "when": "commune_urgent",
                "met_by": ["transferred"],
                "law": TTLT_01_2017 + ": quả tang, đặc biệt nghiêm trọng, đối tượng có thể bỏ "
                "trốn: chuyển trong 24 giờ; BLTTHS 2015 Điều 146",
            },
            {
                "step": "forward_urgent_remote",
                "label": "Công an xã vùng sâu chuyển tin khẩn cấp",
                "amount": 48,
                "unit": "hours",
                "anchor": "received",
                "when": "commune_urgent_remote",
                "met_by": ["transferred"],
                "law": TTLT_01_2017 + ": xã vùng sâu, vùng xa: 48 giờ",
            },
            {
                "step": "forward",
                "label": "Công an xã xác minh ban đầu và chuyển tin",
                "amount": 7,
                "unit": "days",
                "anchor": "received",
                "when": "commune_not_urgent",
                "met_by": ["transferred"],
                "law": TTLT_01_2017 + ": các tin khác: 7 ngày",
            },
            {
                "step": "assign",
                "label": "Phân công giải quyết",
                "amount": 3,
                "unit": "days",
                "anchor": "received",
                "when": "not_commune",
                "met_by": ["assigned"],
                "law": TTLT_01_2017 + ": phân công trong 3 ngày",
            },
            {
                "step": "decide",
                "label": "Ra quyết định khởi tố / không khởi tố / tạm đình chỉ",
                "amount": 20,
                "unit": "days",
                "anchor": "received",
                "when": "not_commune",
                "met_by": [],
                "law": "BLTTHS 2015 Điều 147 khoản 1: 20 ngày",
                "extensions": [
                    {
                        "to": {"amount": 2, "unit": "months"},
                        "label": "Vụ việc phức tạp, xác minh nhiều nơi: đến 2 tháng",
                        "law": "BLTTHS 2015 Điều 147 khoản 2",
                    },
                    {
                        "add": {"amount": 2, "unit": "months"},
                        "label": "Viện kiểm sát gia hạn một lần, không quá 2 tháng",
                        "law": "BLTTHS 2015 Điều 147 khoản 3 (đề nghị trước khi hết hạn ≥ 5 ngày)",
                    },
                ],
            },
        ],
    },
    {
        "code": "public_order",
        "name": "An ninh, trật tự",
        "description": "Gây rối, tụ tập đông người, đua xe, tiếng ồn ban đêm, cờ bạc…",
        "order": 2,
        "retention_days": 730,  # RETENTION [U]
        "allows_anonymous": True,
        "legal_basis": "Luật Tiếp công dân 2013 Điều 28; chuẩn nội bộ [U]",
        "deadline_policy": [
            {
                "step": "classify",
                "label": "Phân loại, xử lý ban đầu",
                "amount": 24,
                "unit": "hours",
                "anchor": "received",
                "when": "always",
                "met_by": ["classified", "transferred"],
                "law": "Chuẩn phục vụ nội bộ, theo cách làm với tin báo (TTLT 01/2017) [U]",
            },
            {
                "step": "respond",
                "label": "Trả lời người phản ánh",
                "amount": 10,
                "unit": "working_days",
                "anchor": "received",
                "when": "always",
                "met_by": ["replied"],
                "law": "Luật Tiếp công dân 2013 Điều 28: 10 ngày làm việc",
            },
        ],
    },
    {
        "code": "service_feedback",
        "name": "Phản ánh, kiến nghị về thủ tục hành chính, cán bộ",
        "description": "Phản ánh, kiến nghị về quy định, thủ tục hành chính, thái độ phục vụ.",
        "order": 3,
        "retention_days": 730,  # RETENTION [U]
        "allows_anonymous": False,
        "legal_basis": "NĐ 20/2008/NĐ-CP; Luật Tiếp công dân 2013 Điều 28",
        "deadline_policy": [
            {
                "step": "competence",
                "label": "Chuyển cơ quan có thẩm quyền (nếu không thuộc thẩm quyền)",
                "amount": 5,
                "unit": "working_days",
                "anchor": "received",
                "when": "always",
                "met_by": ["assigned", "transferred"],
                "law": "NĐ 20/2008/NĐ-CP: chuyển trong 5 ngày làm việc",
            },
            {
                "step": "respond",
                "label": "Thông báo kết quả tiếp nhận cho người phản ánh",
                "amount": 10,
                "unit": "working_days",
                "anchor": "received",
                "when": "always",
                "met_by": ["replied"],
                "law": "Luật Tiếp công dân 2013 Điều 28: 10 ngày làm việc",
            },
        ],
    },
    {
        "code": "complaint",
        "name": "Khiếu nại",
        "description": "Khiếu nại quyết định hành chính, hành vi hành chính của cơ quan Công an.",
        "order": 4,
        "retention_days": 1825,  # RETENTION [U]
        "allows_anonymous": False,
        "legal_basis": "Luật Khiếu nại 02/2011/QH13; TT 68/2013/TT-BCA",
        "deadline_policy": [
            {
                "step": "accept",
                "label": "Thụ lý hoặc thông báo không thụ lý",
                "amount": 10,
                "unit": "days",
                "anchor": "received",
                "when": "always",
                "met_by": ["assigned", "transferred"],
                "law": "Luật Khiếu nại 2011 Điều 27: 10 ngày",
            },
            {
                "step": "resolve",
                "label": "Giải quyết khiếu nại lần đầu",
                "amount": 30,
                "unit": "days",
                "anchor": "accepted",
                "when": "always",
                "met_by": [],
                "law": "Luật Khiếu nại 2011 Điều 28: 30 ngày kể từ ngày thụ lý",
                "extensions": [
                    {
                        "to": {"amount": 45, "unit": "days"},
                        "label": "Vụ việc phức tạp: 45 ngày",
                        "law": "Luật Khiếu nại 2011 Điều 28 (vùng sâu, vùng xa: 45/60 ngày) [U]",
                    },
                ],
            },
        ],
    },
    {
        "code": "denunciation",
        "name": "Tố cáo",
        "description": "Tố cáo hành vi vi phạm pháp luật của cán bộ, chiến sĩ Công an. Đơn tố "
        "cáo ẩn danh không được xử lý theo thủ tục tố cáo (Luật Tố cáo Điều 25).",
        "order": 5,
        "retention_days": 1825,  # RETENTION [U]
        "allows_anonymous": False,
        "legal_basis": "Luật Tố cáo 25/2018/QH14; NĐ 22/2019/NĐ-CP",
        "deadline_policy": [
            {
                "step": "initial",
                "label": "Xử lý ban đầu, thụ lý",
                "amount": 7,
                "unit": "working_days",
                "anchor": "received",
                "when": "always",
                "met_by": ["assigned", "transferred"],
                "law": "Luật Tố cáo 2018 Điều 24: 7 ngày làm việc (nhiều nơi: 10) [U]",
            },
            {
                "step": "competence",
                "label": "Chuyển tố cáo không thuộc thẩm quyền",
                "amount": 5,
                "unit": "working_days",
                "anchor": "received",
                "when": "always",
                "met_by": ["assigned", "transferred"],
                "law": "Luật Tố cáo 2018 Điều 24: chuyển trong 5 ngày làm việc",
            },
            {
                "step": "resolve",
                "label": "Giải quyết tố cáo",
                "amount": 30,
                "unit": "days",
                "anchor": "accepted",
                "when": "always",
                "met_by": [],
                "law": "Luật Tố cáo 2018 Điều 30: 30 ngày kể từ ngày thụ lý",
                "extensions": [
                    {
                        "add": {"amount": 30, "unit": "days"},
                        "label": "Vụ việc phức tạp: thêm 30 ngày",
                        "law": "Luật Tố cáo 2018 Điều 30: gia hạn một lần",
                    },
                    {
                        "add": {"amount": 30, "unit": "days"},
                        "label": "Đặc biệt phức tạp: thêm 30 ngày lần hai",
                        "law": "Luật Tố cáo 2018 Điều 30: gia hạn hai lần",
                    },
                ],
            },
        ],
    },
    {
        "code": "other",
        "name": "Khác",
        "description": "Các phản ánh, đề nghị khác gửi Công an.",
        "order": 6,
        "retention_days": 730,  # RETENTION [U]
        "allows_anonymous": True,
        "legal_basis": "Luật Tiếp công dân 2013 Điều 28",
        "deadline_policy": [
            {
                "step": "respond",
                "label": "Trả lời người gửi",
                "amount": 10,
                "unit": "working_days",
                "anchor": "received",
                "when": "always",
                "met_by": ["replied", "transferred"],
                "law": "Luật Tiếp công dân 2013 Điều 28: 10 ngày làm việc",
            },
        ],
    },
]


def categories_apply(category_model) -> int:
    """Create or update the default categories (used by the migration and the command)."""
    # A migration passes its historical model, which may not have every field yet.
    known = {f.name for f in category_model._meta.get_fields()}
    for data in DEFAULT_CATEGORIES:
        fields = {k: v for k, v in data.items() if k != "code" and k in known}
        category_model.objects.update_or_create(code=data["code"], defaults=fields)
    return len(DEFAULT_CATEGORIES)
