NAV = [
    ("Khảo sát hài lòng", "/staff/surveys/"),
    ("Mẫu phiếu khảo sát", "/staff/surveys/templates/"),
]
