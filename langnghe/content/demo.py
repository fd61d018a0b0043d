"""Demo posts and notices across the Bắc Giang network, written for this project (not copied
from any real page). Idempotent: a post is recognised by its unit and title.

Rules quoted in the texts are cited by their instrument only; no fine amounts are given, since
they change with each decree.
"""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from langnghe.units.models import Unit

from . import services
from .models import Post

F = Post.Field

POSTS = [
    {
        "unit": "BG",
        "kind": "notice",
        "field": F.FRAUD,
        "pinned": True,
        "cross_post": "descendants",
        "days_ago": 1,
        "cover": (178, 34, 34),
        "title": "Cảnh báo: giả danh cán bộ Công an gọi điện yêu cầu chuyển tiền",
        "summary": "Công an không làm việc, không yêu cầu chuyển tiền qua điện thoại. Gặp cuộc "
        "gọi như vậy, hãy dập máy và báo ngay cho Công an xã, phường nơi gần nhất.",
        "tags": ["lừa đảo", "giả danh công an"],
        "body": """
<p>Thời gian gần đây, các đối tượng lừa đảo gọi điện, gọi video qua Zalo, tự xưng là cán bộ
Công an, Viện kiểm sát, Tòa án, thông báo người dân "liên quan đến vụ án ma túy, rửa tiền" rồi
yêu cầu chuyển tiền vào "tài khoản tạm giữ" để "chứng minh trong sạch".</p>
<h3>Người dân cần nhớ</h3>
<ul>
<li>Cơ quan Công an <strong>không</strong> làm việc, lấy lời khai hay giải quyết vụ việc qua
điện thoại, Zalo hay mạng xã hội.</li>
<li>Không có "tài khoản tạm giữ" nào của cơ quan nhà nước để người dân chuyển tiền vào.</li>
<li>Không cung cấp mã OTP, mật khẩu, ảnh khuôn mặt hay ảnh căn cước cho bất kỳ ai.</li>
<li>Không cài ứng dụng theo đường link do người lạ gửi.</li>
</ul>
<p>Khi nghi ngờ bị lừa đảo, hãy báo ngay cho Công an xã, phường nơi gần nhất, hoặc gọi
<a href="tel:113">113</a>. Người dân có thể gửi tin báo qua trang của đơn vị trên Lắng Nghe,
kể cả khi không muốn nêu tên.</p>
""",
    },
    {
        "unit": "BG",
        "kind": "article",
        "field": F.FRAUD,
        "cross_post": "descendants",
        "days_ago": 4,
        "cover": (196, 92, 20),
        "title": "Năm thủ đoạn lừa đảo qua mạng phổ biến và cách phòng tránh",
        "summary": "Việc làm online, đầu tư tiền ảo, mua bán hàng giả, lấy lại tiền bị lừa, "
        "cập nhật thông tin ngân hàng: nhận diện sớm để không mất tiền.",
        "tags": ["lừa đảo qua mạng", "an ninh mạng"],
        "body": """
<ol>
<li><strong>Việc nhẹ lương cao:</strong> mời làm cộng tác viên "chốt đơn", "thả tim" rồi yêu
cầu nạp tiền để nhận hoa hồng. Công việc thật không bắt người lao động nộp tiền trước.</li>
<li><strong>Đầu tư lãi suất cao:</strong> sàn tiền ảo, ngoại hối không được cấp phép, ban đầu
cho rút lãi nhỏ để dụ nạp thêm.</li>
<li><strong>Lấy lại tiền đã bị lừa:</strong> kẻ gian tự xưng "hacker", "luật sư" hứa lấy lại
tiền rồi lừa tiếp lần nữa.</li>
<li><strong>Tin nhắn giả mạo ngân hàng, điện lực, viễn thông</strong> kèm đường link đến trang
giả để lấy tài khoản.</li>
<li><strong>Mua bán hàng online</strong> yêu cầu chuyển khoản đặt cọc rồi chặn liên lạc.</li>
</ol>
<p>Nguyên tắc chung: không vội chuyển tiền, kiểm tra lại qua số điện thoại chính thức, hỏi ý
kiến người thân, và báo Công an khi thấy dấu hiệu lừa đảo.</p>
""",
    },
    {
        "unit": "BG",
        "kind": "article",
        "field": F.PROCEDURES,
        "cross_post": "descendants",
        "days_ago": 7,
        "cover": (0, 86, 150),
        "title": "Hướng dẫn kích hoạt tài khoản định danh điện tử VNeID mức 2",
        "summary": "Tài khoản mức 2 được đăng ký khi làm thủ tục cấp căn cước tại Công an; sau đó "
        "người dân tự kích hoạt trên ứng dụng VNeID bằng số định danh cá nhân.",
        "tags": ["VNeID", "căn cước", "định danh điện tử"],
        "body": """
<p>Tài khoản định danh điện tử mức 2 giúp người dân làm thủ tục hành chính trực tuyến, xuất
trình giấy tờ trên điện thoại thay cho bản giấy.</p>
<h3>Đăng ký</h3>
<p>Người dân đăng ký tài khoản mức 2 khi làm thủ tục cấp, đổi căn cước tại Công an cấp xã
hoặc nơi tiếp nhận hồ sơ căn cước (mang theo điện thoại có số thuê bao chính chủ).</p>
<h3>Kích hoạt</h3>
<ol>
<li>Tải ứng dụng VNeID từ App Store hoặc Google Play (nhà phát triển: Trung tâm dữ liệu quốc
gia về dân cư).</li>
<li>Chọn "Kích hoạt tài khoản định danh điện tử", nhập số định danh cá nhân và số điện thoại đã
đăng ký.</li>
<li>Nhập mã kích hoạt gửi về tin nhắn, đặt mật khẩu và mã bảo vệ.</li>
</ol>
<p>Không nhờ người lạ kích hoạt hộ, không cung cấp mật khẩu, mã kích hoạt cho bất kỳ ai.</p>
""",
    },
    {
        "unit": "BG-PA08",
        "kind": "article",
        "field": F.PROCEDURES,
        "days_ago": 10,
        "title": "Đề nghị cấp hộ chiếu phổ thông trực tuyến: những điều cần biết",
        "summary": "Công dân đã có căn cước gắn chip có thể nộp hồ sơ cấp hộ chiếu trên Cổng dịch "
        "vụ công, nhận hộ chiếu qua bưu điện.",
        "tags": ["hộ chiếu", "dịch vụ công trực tuyến"],
        "body": """
<p>Hồ sơ được nộp trên Cổng dịch vụ công quốc gia hoặc Cổng dịch vụ công Bộ Công an, đăng
nhập bằng tài khoản VNeID. Người dân chuẩn bị ảnh chân dung theo quy định, nộp lệ phí trực
tuyến và chọn nơi nhận kết quả.</p>
<p>Thông tin chi tiết, thời hạn giải quyết và lệ phí được niêm yết trong mục <em>Thủ tục
hành chính</em> trên trang của Phòng Quản lý xuất nhập cảnh.</p>
""",
    },
    {
        "unit": "BG-PC08",
        "kind": "article",
        "field": F.TRAFFIC,
        "days_ago": 3,
        "cover": (20, 120, 60),
        "title": "Đội mũ bảo hiểm đạt chuẩn, cài quai đúng cách khi đi xe máy",
        "summary": "Mũ bảo hiểm đạt chuẩn có tem hợp quy; cài quai đúng cách mới bảo vệ được "
        "đầu khi va chạm.",
        "tags": ["an toàn giao thông", "mũ bảo hiểm"],
        "body": """
<p>Người điều khiển và người ngồi trên xe mô tô, xe gắn máy phải đội mũ bảo hiểm và cài quai
đúng quy cách (Luật Trật tự, an toàn giao thông đường bộ 2024). Trẻ em từ đủ 24 tháng tuổi
cũng cần đội mũ phù hợp với lứa tuổi.</p>
<ul>
<li>Chọn mũ có tem hợp quy CR, vừa đầu, không lỏng.</li>
<li>Cài quai sát cằm, vừa một ngón tay.</li>
<li>Thay mũ sau khi đã chịu va đập mạnh.</li>
</ul>
""",
    },
    {
        "unit": "BG-PC07",
        "kind": "notice",
        "field": F.FIRE,
        "pinned": True,
        "days_ago": 2,
        "cover": (200, 60, 0),
        "title": "Khuyến cáo phòng cháy nhà ở kết hợp kinh doanh trong mùa hanh khô",
        "summary": "Kiểm tra điện, không để xe sạc qua đêm trong nhà, mở lối thoát nạn thứ hai.",
        "tags": ["phòng cháy", "nhà ống"],
        "body": """
<ul>
<li>Không sạc xe điện qua đêm, không để xe sát cầu thang, lối thoát nạn.</li>
<li>Kiểm tra hệ thống điện, thay dây dẫn cũ, dùng aptomat đúng công suất.</li>
<li>Tạo lối thoát nạn thứ hai qua ban công, mái; không khóa chết lồng sắt.</li>
<li>Trang bị bình chữa cháy, đèn pin, mặt nạ lọc khói; hướng dẫn mọi người trong nhà cách dùng.</li>
</ul>
<p>Khi xảy ra cháy, gọi ngay <a href="tel:114">114</a>.</p>
""",
    },
    {
        "unit": "BG-H213",
        "kind": "article",
        "field": F.TRAFFIC,
        "cross_post": "descendants",
        "days_ago": 5,
        "title": "Công an thành phố tăng cường kiểm soát nồng độ cồn dịp cuối năm",
        "summary": "Các tổ công tác làm việc cả ngày lẫn đêm trên các tuyến trọng điểm; đã uống "
        "rượu bia thì không lái xe.",
        "tags": ["nồng độ cồn"],
        "body": """
<p>Dịp cuối năm, Công an thành phố Bắc Giang bố trí các tổ công tác kiểm soát nồng độ cồn
trên các tuyến đường trọng điểm, cả ban ngày và ban đêm.</p>
<p>Người dân đã uống rượu, bia thì không điều khiển phương tiện; hãy đi taxi, xe ôm công nghệ
hoặc nhờ người thân đưa về.</p>
""",
    },
    {
        "unit": "BG-X07201",
        "kind": "notice",
        "field": F.PROCEDURES,
        "pinned": True,
        "days_ago": 0,
        "title": "Lịch làm căn cước cho học sinh tại Công an phường Thọ Xương",
        "summary": "Tiếp nhận hồ sơ căn cước cho học sinh vào sáng thứ Bảy hằng tuần.",
        "tags": ["căn cước", "học sinh"],
        "body": """
<p>Công an phường Thọ Xương tiếp nhận hồ sơ cấp căn cước cho học sinh vào sáng thứ Bảy hằng
tuần tại trụ sở. Học sinh dưới 14 tuổi đi cùng cha, mẹ hoặc người giám hộ.</p>
<p>Mang theo giấy khai sinh hoặc thông tin số định danh cá nhân để đối chiếu.</p>
""",
    },
    {
        "unit": "BG-X07204",
        "kind": "article",
        "field": F.FRAUD,
        "days_ago": 6,
        "title": "Cảnh giác tin nhắn giả ngân hàng đòi cập nhật sinh trắc học",
        "summary": "Ngân hàng không gửi đường link yêu cầu cập nhật sinh trắc học qua tin nhắn.",
        "tags": ["lừa đảo", "ngân hàng"],
        "body": """
<p>Một số người dân trên địa bàn phường nhận tin nhắn mạo danh ngân hàng, kèm đường link yêu
cầu "cập nhật sinh trắc học để tránh khóa tài khoản". Trang này đánh cắp tài khoản và mã OTP.</p>
<p>Người dân chỉ cập nhật sinh trắc học trên ứng dụng chính thức của ngân hàng hoặc tại quầy
giao dịch.</p>
""",
    },
    {
        "unit": "BG-H215",
        "kind": "article",
        "field": F.PROCEDURES,
        "days_ago": 8,
        "title": "Đăng ký thường trú trực tuyến qua Cổng dịch vụ công",
        "summary": "Các bước nộp hồ sơ đăng ký thường trú trực tuyến, không cần đến trụ sở.",
        "tags": ["cư trú", "dịch vụ công trực tuyến"],
        "body": """
<ol>
<li>Đăng nhập Cổng dịch vụ công bằng tài khoản VNeID mức 2.</li>
<li>Chọn thủ tục "Đăng ký thường trú", khai thông tin và đính kèm giấy tờ chứng minh chỗ ở hợp
pháp.</li>
<li>Theo dõi kết quả qua tin nhắn và ứng dụng VNeID.</li>
</ol>
""",
    },
]

SCHEDULED = {
    "unit": "BG",
    "kind": "notice",
    "field": F.SECURITY,
    "title": "Đảm bảo an ninh trật tự dịp Tết: số điện thoại trực ban các đơn vị",
    "summary": "Danh bạ trực ban 24/7 của Công an các xã, phường trong dịp Tết.",
    "body": "<p>Danh bạ trực ban được cập nhật trên trang của từng đơn vị.</p>",
}


def _cover(color: tuple[int, int, int]) -> ContentFile:
    """A plain generated cover (a colour band with a light stripe): no third-party images."""
    image = Image.new("RGB", (1200, 630), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 500, 1200, 530), fill=(255, 255, 255))
    draw.ellipse((980, 60, 1140, 220), outline=(255, 255, 255), width=12)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="demo.png")


def load(stdout) -> None:
    created = 0
    now = timezone.now()
    units = {u.code: u for u in Unit.objects.filter(code__in={p["unit"] for p in POSTS})}
    for spec in POSTS:
        unit = units.get(spec["unit"])
        if unit is None or Post.objects.filter(unit=unit, title=spec["title"]).exists():
            continue
        post = services.post_create(
            by=None,
            unit=unit,
            kind=spec["kind"],
            title=spec["title"],
            summary=spec["summary"],
            body=spec["body"],
            field=spec["field"],
            tags=spec.get("tags", []),
            cross_post=spec.get("cross_post", "none"),
            is_pinned=spec.get("pinned", False),
            cover=_cover(spec["cover"]) if "cover" in spec else None,
        )
        when = now - timedelta(days=spec["days_ago"], hours=2)
        services.post_publish(post=post, by=None, now=when)
        created += 1
    province = Unit.objects.filter(code=SCHEDULED["unit"]).first()
    if province and not Post.objects.filter(unit=province, title=SCHEDULED["title"]).exists():
        post = services.post_create(
            by=None, unit=province, cross_post="descendants", **{
                k: v for k, v in SCHEDULED.items() if k != "unit"
            }
        )  # fmt: skip
        services.post_schedule(post=post, by=None, publish_at=now + timedelta(days=3))
        created += 1
    stdout.write(f"Bài viết, thông báo: {Post.objects.count()} (mới {created})")
