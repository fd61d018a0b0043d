NAV = [
    ("Khảo sát hài lòng", "/staff/surveys/"),
    # Templates are managed by the unit's MANAGER_ROLES.
    ("Mẫu phiếu khảo sát", "/staff/surveys/templates/", ("admin", "supervisor")),
]
