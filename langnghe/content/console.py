NAV = [("Bài viết, thông báo", "/staff/content/")]
