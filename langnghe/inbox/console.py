NAV = [("Trực ban", "/staff/inbox/")]
