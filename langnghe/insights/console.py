NAV = [("Tổng hợp, báo cáo", "/staff/insights/")]
