# Writing and publishing posts (content.services.PUBLISH_ROLES).
NAV = [("Bài viết, thông báo", "/staff/content/", ("admin", "supervisor", "editor"))]
