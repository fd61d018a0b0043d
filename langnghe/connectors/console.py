NAV = [("Kết nối Zalo OA", "/staff/zalo/")]
