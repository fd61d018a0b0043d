# Connecting a Zalo OA is the unit administrator's (connectors.oauth.CONNECT_ROLES).
NAV = [("Kết nối Zalo OA", "/staff/zalo/", ("admin",))]
