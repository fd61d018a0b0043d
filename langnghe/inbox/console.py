NAV = [
    # Every role: the desk for its desk roles, its counts and response times for the others.
    ("Trực ban", "/staff/inbox/"),
    # Saved answers are written by CANNED_ROLES and used by the officers on duty.
    ("Mẫu trả lời", "/staff/inbox/mau-tra-loi/", ("admin", "supervisor", "editor", "duty_officer")),
    # The roster is planned by ROSTER_ROLES and read by the officers on it.
    ("Lịch trực", "/staff/inbox/lich-truc/", ("admin", "supervisor", "duty_officer")),
]
