NAV = [("Vụ việc, tin báo", "/staff/cases/")]
