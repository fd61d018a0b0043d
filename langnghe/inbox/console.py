NAV = [
    ("Trực ban", "/staff/inbox/"),
    ("Mẫu trả lời", "/staff/inbox/mau-tra-loi/"),
    ("Lịch trực", "/staff/inbox/lich-truc/"),
]
