"""Generator of the labelled messages in ``data/``: hand-written templates × vocabularies.

``python -m langnghe.triage.datagen`` rewrites ``data/generated_train.jsonl`` and
``data/generated_heldout.jsonl`` (fixed seeds). The held-out set uses DIFFERENT templates and
partly different vocabularies from the training set, so the score it gives is not a score on
the generator's own phrasing. Hand-written free-form messages live in
``data/handwritten_train.jsonl`` and ``data/handwritten_heldout.jsonl``.

Labels (what an officer would decide):
- crime_report — a suspected crime against a person or property: theft, robbery, assault on
  someone, kidnapping, fraud and scams, drugs, gambling, loan sharks, threats, trafficking.
- public_order — order and safety incidents that are not mainly a report of a crime: noise,
  brawls in public, street racing, obstruction, traffic accidents, fires, drowning, a person
  collapsed in the street, environmental nuisance, suspicious loitering.
- procedure_question — how to do something with the police/administration: ID cards,
  residence, passports, vehicle registration, driving licences, criminal records, fines,
  fire-safety permits, opening hours, where/how to report.
- service_feedback — praise or complaints about staff, offices, procedures, delays, the
  hotline or the website.
- other — greetings, thanks, tests, spam and ads, off-topic chat.
``urgent`` — life, safety or property in danger NOW (not a past event, not a question about
one); ``hotline`` 113 / 114 / 115 for urgent messages.
"""

import json
import random
import re
from pathlib import Path

from langnghe.core.text import fold

DATA = Path(__file__).parent / "data"

# --- vocabularies ------------------------------------------------------------------------------

TRAIN_SLOTS = {
    "place": [
        "ở ngõ 12 đường Lê Lợi",
        "gần chợ Thương",
        "đầu ngõ nhà em",
        "ở thôn Đông",
        "trước cổng trường THCS Ngô Sĩ Liên",
        "ở khu tập thể Công ty Đạm",
        "trên đường Hùng Vương",
        "cạnh cây xăng Dĩnh Kế",
        "ở phường Thọ Xương",
        "sau ga Bắc Giang",
        "tại xóm Chùa xã Tân Dĩnh",
        "ở bờ đê sông Thương",
        "trên quốc lộ 1A đoạn qua Song Khê",
        "ở khu đô thị Bách Việt",
        "gần UBND xã",
        "ở tổ dân phố số 5",
        "cạnh quán bia Hải Xồm",
        "ở chợ đêm",
        "trong hẻm 34",
        "ngay ngã tư Xương Giang",
    ],
    "time_past": [
        "tối qua",
        "hôm qua",
        "đêm hôm kia",
        "tuần trước",
        "sáng hôm qua",
        "chiều thứ bảy vừa rồi",
        "khoảng 2 giờ sáng hôm qua",
        "hôm chủ nhật",
        "tháng trước",
        "mấy hôm trước",
        "đầu tuần này",
        "tối thứ sáu tuần rồi",
    ],
    "who": [
        "mẹ em",
        "bố tôi",
        "hàng xóm nhà em",
        "một cháu bé",
        "chị bán hàng",
        "ông cụ",
        "vợ tôi",
        "con trai tôi",
        "một bạn học sinh",
        "anh shipper",
        "bà nội em",
        "một người đàn ông",
        "em gái tôi",
        "chú bảo vệ",
    ],
    "thing": [
        "xe máy",
        "điện thoại",
        "ví tiền",
        "xe đạp điện",
        "két sắt",
        "dây chuyền vàng",
        "laptop",
        "con chó",
        "bình ắc quy",
        "xe Wave",
        "2 con gà",
        "tiền trong tủ",
    ],
    "weapon": [
        "dao",
        "mã tấu",
        "kiếm",
        "gậy sắt",
        "tuýp sắt",
        "dao phay",
        "vỏ chai",
        "gạch đá",
        "hung khí",
    ],
    "water": ["ao làng", "sông Thương", "hồ điều hòa", "kênh mương", "giếng", "hồ Cửu Khúc"],
    "building": [
        "nhà",
        "xưởng gỗ",
        "quán karaoke",
        "kho hàng",
        "phòng trọ",
        "chung cư",
        "cửa hàng điện máy",
        "nhà kho",
        "xe tải",
        "quán ăn",
    ],
    "money": [
        "5 triệu",
        "20 triệu",
        "300 nghìn",
        "1,5 tỷ",
        "47 triệu",
        "hơn 100 triệu",
        "12 triệu 500",
    ],
    "scam": [
        "giả danh công an gọi điện bảo chuyển tiền",
        "lừa làm nhiệm vụ online",
        "lừa đầu tư tiền ảo",
        "giả làm nhân viên ngân hàng xin mã OTP",
        "bán hàng online nhận tiền rồi chặn",
        "lừa tuyển cộng tác viên",
        "hack facebook rồi nhắn vay tiền người thân",
        "lừa nâng cấp sim 4G",
        "gọi bảo con bị tai nạn cần chuyển tiền mổ",
    ],
    "doc": [
        "căn cước công dân",
        "CCCD",
        "hộ chiếu",
        "giấy phép lái xe",
        "bằng lái xe",
        "lý lịch tư pháp",
        "giấy xác nhận cư trú",
        "đăng ký xe",
        "tài khoản VNeID",
        "căn cước",
    ],
    "proc": [
        "làm căn cước cho con 10 tuổi",
        "cấp đổi CCCD hết hạn",
        "làm lại CCCD bị mất",
        "đăng ký thường trú cho vợ",
        "đăng ký tạm trú",
        "khai báo tạm vắng",
        "làm hộ chiếu lần đầu",
        "gia hạn hộ chiếu",
        "sang tên xe máy cũ",
        "đăng ký biển số xe mới mua",
        "đổi giấy phép lái xe",
        "cấp lại bằng lái bị mất",
        "xin phiếu lý lịch tư pháp",
        "kích hoạt định danh điện tử mức 2",
        "tách hộ khẩu",
        "nhập hộ khẩu cho con",
        "xác nhận thông tin cư trú",
        "nộp phạt nguội",
        "lấy xe bị tạm giữ",
        "xin giấy phép kinh doanh karaoke về PCCC",
        "cấp giấy chứng nhận đủ điều kiện về an ninh trật tự",
        "làm lại biển số xe bị mất",
        "đổi bằng lái quốc tế",
        "tích hợp giấy phép lái xe vào VNeID",
    ],
    "office": [
        "công an phường",
        "công an xã",
        "bộ phận một cửa",
        "phòng PC06",
        "phòng xuất nhập cảnh",
        "điểm đăng ký xe",
        "công an huyện",
        "trụ sở công an",
    ],
    "staff": [
        "cán bộ trực",
        "anh cán bộ làm CCCD",
        "chị tiếp dân",
        "đồng chí công an khu vực",
        "cán bộ một cửa",
        "cảnh sát giao thông",
        "anh trực ban",
        "cán bộ cấp hộ chiếu",
    ],
    "greet_urgent": [
        "",
        "",
        "",
        "alo ",
        "alo alo ",
        "công an ơi ",
        "anh ơi ",
        "cứu với, ",
        "khẩn cấp: ",
        "báo công an: ",
        "ai đó giúp với, ",
        "hi ",
        "chào anh, ",
    ],
    "greet_question": [
        "",
        "",
        "cho em hỏi ",
        "xin hỏi ",
        "anh ơi ",
        "ad ơi cho mình hỏi, ",
        "dạ ",
        "chào anh chị, ",
        "em chào ạ, ",
    ],
    "greet_neutral": [
        "",
        "",
        "",
        "alo ",
        "dạ ",
        "anh ơi ",
        "chị ơi ",
        "ad ơi ",
        "xin chào, ",
        "kính gửi công an, ",
        "em xin phản ánh: ",
    ],
}

HELD_SLOTS = {
    "place": [
        "ở xóm Trại",
        "gần cầu Mỹ Độ",
        "ở đường Nguyễn Thị Lưu",
        "trong khu công nghiệp",
        "ở thị trấn Cao Thượng",
        "cổng chợ Dĩnh Kế",
        "ở phố Ngô Gia Tự",
        "gần trạm y tế xã",
        "ở bãi sông xã Quang Châu",
        "trước nhà văn hóa thôn",
    ],
    "time_past": [
        "hôm thứ tư",
        "đêm 20 vừa rồi",
        "cách đây 3 ngày",
        "hôm rằm",
        "năm ngoái",
        "hồi đầu tháng",
    ],
    "who": [
        "bà cụ hàng xóm",
        "thằng cháu tôi",
        "chị gái em",
        "một anh công nhân",
        "cô giáo",
        "đứa nhỏ nhà bên",
        "một người say rượu",
        "ông ngoại em",
    ],
    "thing": ["xe SH", "đồng hồ", "túi xách", "máy bơm", "con bò", "iPhone", "xe đạp"],
    "weapon": ["dao bầu", "kiếm Nhật", "súng", "chai bia", "gậy gộc", "búa"],
    "water": ["hồ thủy lợi", "sông Cầu", "đập tràn", "ao cá nhà bên"],
    "building": ["xưởng may", "tiệm tạp hóa", "nhà trọ công nhân", "cây xăng", "bãi xe"],
    "money": ["80 triệu", "3 triệu rưỡi", "700 nghìn", "200 triệu"],
    "scam": [
        "giả danh bên điện lực đòi tiền",
        "lừa mua vé máy bay giá rẻ",
        "dụ vào nhóm đầu tư chứng khoán",
        "gọi video giả mặt người quen vay tiền",
    ],
    "doc": ["CCCD gắn chip", "passport", "GPLX", "sổ hộ khẩu", "biển số xe", "VNeID"],
    "proc": [
        "làm căn cước cho bé 5 tuổi",
        "đổi CCCD khi đổi tên",
        "chuyển hộ khẩu về quê",
        "làm hộ chiếu cho con",
        "rút hồ sơ gốc xe máy",
        "đổi bằng lái hạng B2",
        "xin lý lịch tư pháp số 2",
        "tạm trú cho người thuê trọ",
        "cấp lại VNeID",
        "đăng ký xe điện",
    ],
    "office": ["công an thị trấn", "trung tâm hành chính công", "công an tỉnh", "đội CSGT"],
    "staff": [
        "cán bộ trực ban",
        "anh công an xã",
        "người ngồi bàn tiếp nhận",
        "chị cán bộ hộ chiếu",
        "anh CSGT",
    ],
    "greet_urgent": ["", "", "báo gấp ", "help ", "cấp báo, ", "mọi người ơi "],
    "greet_question": ["", "", "hỏi chút ", "mình muốn hỏi: ", "em chào anh chị, "],
    "greet_neutral": ["", "", "em chào anh chị, ", "kính gửi công an, ", "hello ", "ad oi "],
}

# --- templates: (category, urgent, hotline, [phrasings]) ---------------------------------------

TRAIN_TEMPLATES = [
    # crime, urgent now
    (
        "crime_report",
        True,
        "113",
        [
            "{greet}có trộm đang trong nhà em {place}, em trốn trong phòng, cứu với",
            "{greet}có 2 thằng đang cạy cửa nhà hàng xóm {place}, các anh đến ngay",
            "{greet}em vừa bị cướp giật {thing} {place}, nó chạy về hướng chợ",
            "{greet}có người cầm {weapon} đuổi chém {who} {place}",
            "{greet}{who} bị một nhóm người bắt lên xe ô tô, nghi bắt cóc, {place}",
            "{greet}con em mất tích từ trưa, có người nhắn đòi tiền chuộc, cứu em với",
            "{greet}chồng say rượu đang đánh {who}, cầm {weapon} dọa giết, nhanh lên",
            "{greet}có kẻ cầm {weapon} xông vào nhà đập phá {place}",
            "{greet}có người lạ đang dụ dỗ bắt một cháu bé lên xe máy {place}",
            "{greet}bọn đòi nợ thuê đang đập cửa ném đá vào nhà em, đe dọa giết cả nhà",
            "{greet}{who} vừa bị đâm chảy máu nhiều {place}, hung thủ còn ở đây",
            "{greet}có người đang bị nhóm thanh niên đánh hội đồng {place}, cứu với",
            "{greet}ngay bây giờ có 3 người bịt mặt cầm {weapon} chặn đường cướp {thing}",
            "{greet}có thằng đang dí {weapon} vào cổ {who} đòi tiền",
            "{greet}nghe tiếng nổ súng {place}, mọi người đang chạy loạn",
        ],
    ),
    # crime, past / tips
    (
        "crime_report",
        False,
        None,
        [
            "{greet}{time_past} nhà em bị trộm mất {thing}, em muốn trình báo",
            "{greet}{time_past} {who} bị kẻ gian lấy mất {thing} {place}",
            "{greet}tôi bị lừa mất {money} vì {scam}, làm sao lấy lại được",
            "{greet}có đối tượng {scam}, em đã chuyển {money} rồi",
            "{greet}em muốn tố giác một điểm bán ma túy {place}, tối nào cũng có người đến mua",
            "{greet}{place} có tụ điểm đánh bạc, ghi lô đề công khai",
            "{greet}có nhóm cho vay nặng lãi, lãi 3000 một ngày trên 1 triệu, dọa đánh nếu không trả",
            "{greet}{time_past} {who} bị đánh bị thương phải khâu 5 mũi, đã đi viện rồi",
            "{greet}tôi phát hiện đối tượng bị truy nã hay lui tới {place}",
            "{greet}có người bán hàng giả, hàng nhái {place}",
            "{greet}con tôi bị người lạ trên mạng tống tiền bằng ảnh nhạy cảm",
            "{greet}{time_past} có kẻ phá khóa lấy {thing} của {who}, có camera ghi lại",
            "{greet}tôi nghi ngờ nhà bên cạnh tàng trữ pháo nổ và vũ khí",
            "{greet}bố em bị bọn lừa đảo gọi điện {scam}, mất {money}",
            "{greet}tài khoản ngân hàng của tôi bị trừ {money} mà tôi không giao dịch",
            "{greet}xin tố giác hành vi khai thác cát trái phép và đe dọa người dân {place}",
            "{greet}{time_past} có thanh niên sàm sỡ {who} {place}",
            "{greet}có đường dây cá độ bóng đá qua mạng {place}, nhiều học sinh tham gia",
        ],
    ),
    # public order, urgent now (fires, drowning, accidents, brawls)
    (
        "public_order",
        True,
        "114",
        [
            "{greet}cháy {building} {place}, lửa to lắm, khói đen mù mịt",
            "{greet}{building} {place} đang bốc cháy, có người mắc kẹt bên trong",
            "{greet}có người đuối nước ở {water}, mọi người không cứu được",
            "{greet}một cháu bé rơi xuống {water} {place}, nhanh lên",
            "{greet}nổ bình gas {building}, lửa đang lan sang nhà bên",
            "{greet}có người leo lên cầu định nhảy xuống sông",
            "{greet}nhà sập {place}, có người bị vùi bên dưới",
            "{greet}nghe mùi gas nồng nặc cả khu, có tiếng xì xì, sợ nổ",
            "{greet}kẹt thang máy chung cư 30 phút rồi, có người già khó thở",
            "{greet}lũ cuốn trôi xe máy với người {place}",
            "{greet}chập điện cháy cột điện {place}, tia lửa bắn xuống đường",
            "{greet}xe tải cháy giữa đường {place}",
        ],
    ),
    (
        "public_order",
        True,
        "115",
        [
            "{greet}tai nạn giao thông {place}, có người nằm bất động",
            "{greet}{who} bị ngất giữa đường {place}, không tỉnh lại",
            "{greet}{who} bị đột quỵ, méo miệng, không nói được",
            "{greet}có vụ va chạm xe máy với ô tô {place}, người chảy máu nhiều",
            "{greet}{who} bị điện giật đang bất tỉnh",
            "{greet}{who} uống thuốc sâu tự tử, đang sùi bọt mép",
            "{greet}cả nhà em bị ngộ độc thực phẩm, nôn ói liên tục, {who} ngất rồi",
            "{greet}{who} ngã từ tầng 2 xuống, gãy chân, không dậy được",
            "{greet}có người say rượu nằm giữa đường {place}, xe qua lại rất nguy hiểm",
            "{greet}{who} bị rắn độc cắn vào chân, đang sưng tím",
            "{greet}{who} đau ngực dữ dội, vã mồ hôi, khó thở",
            "{greet}{who} bị sốc nhiệt ngất ngoài đồng, gọi xe cứu thương giúp",
            "{greet}có cháu nhỏ bị hóc dị vật, mặt tím tái, cứu với",
        ],
    ),
    (
        "public_order",
        True,
        "113",
        [
            "{greet}hai nhóm thanh niên đang đánh nhau {place}, có cả {weapon}",
            "{greet}có nhóm đua xe lạng lách, cầm {weapon} rượt đuổi nhau {place}",
            "{greet}đang có hỗn chiến ở quán nhậu {place}, ném chai loạn xạ",
            "{greet}khoảng 20 thanh niên tụ tập mang {weapon} chuẩn bị đánh nhau {place}",
            "{greet}đám cưới bên cạnh đang xô xát, có người cầm {weapon}",
            "{greet}đang có ẩu đả lớn {place}, hai bên ném gạch đá vào nhau",
            "{greet}học sinh 2 trường đang đánh nhau {place}, có đứa mang {weapon}",
        ],
    ),
    # public order, not urgent
    (
        "public_order",
        False,
        None,
        [
            "{greet}nhà bên cạnh hát karaoke ầm ĩ đến 1 giờ sáng, đêm nào cũng thế",
            "{greet}{place} hàng quán lấn chiếm hết vỉa hè, người đi bộ phải đi xuống lòng đường",
            "{greet}ô tô đỗ chắn cửa nhà em cả ngày {place}",
            "{greet}tối nào cũng có thanh niên tụ tập nẹt pô {place}, rất ồn",
            "{greet}công trình xây dựng {place} làm ồn cả đêm, bụi bặm",
            "{greet}có người đổ trộm rác thải, phế thải xây dựng {place}",
            "{greet}chó thả rông không rọ mõm {place}, trẻ con sợ",
            "{greet}đèn tín hiệu giao thông {place} hỏng mấy ngày rồi",
            "{greet}{time_past} có vụ tai nạn giao thông {place}, đã có người xử lý",
            "{greet}{time_past} có đám đánh nhau ở quán nhậu {place}, giờ đã giải tán",
            "{greet}có mấy người lạ mặt hay lảng vảng {place} vào ban đêm, đề nghị kiểm tra",
            "{greet}xưởng {place} xả khói đen, mùi hôi thối khó chịu",
            "{greet}có người đốt rác khói bay mù mịt vào nhà dân {place}",
            "{greet}bãi giữ xe tự phát chiếm lòng đường {place}",
            "{greet}{time_past} {building} {place} bị cháy, may không ai bị sao, đề nghị kiểm tra nguyên nhân",
            "{greet}người ăn xin chèo kéo khách {place}",
            "{greet}xe tải chở đất rơi vãi đầy đường {place}, trơn trượt",
            "{greet}quán bar {place} mở nhạc to sau 12 giờ đêm",
            "{greet}thanh niên tụ tập uống rượu chửi tục {place}",
            "{greet}cửa hàng {place} bật loa quảng cáo inh ỏi cả ngày",
            "{greet}đám cưới nhà bên đánh trống, bật loa thùng tới nửa đêm",
            "{greet}{time_past} có vụ xô xát giữa hai nhóm {place}, giờ vẫn hay gây gổ",
            "{greet}đường {place} không có đèn, tối hay có người lạ đứng, đề nghị tuần tra",
            "{greet}xe tải chạy quá tốc độ qua khu dân cư {place} hằng ngày",
        ],
    ),
    # procedure questions
    (
        "procedure_question",
        False,
        None,
        [
            "{greet}cho em hỏi {proc} cần giấy tờ gì ạ",
            "{greet}{proc} thì làm ở đâu ạ",
            "{greet}{proc} mất bao lâu, lệ phí bao nhiêu",
            "{greet}em muốn {proc} có làm online được không",
            "{greet}thủ tục {proc} như thế nào vậy",
            "{greet}{office} làm việc thứ bảy không ạ, em muốn {proc}",
            "{greet}em mất {doc} giờ phải làm sao",
            "{greet}{doc} của em sai ngày sinh, sửa thế nào ạ",
            "{greet}hồ sơ {proc} của em nộp 2 tuần rồi giờ tra cứu ở đâu",
            "{greet}số điện thoại của {office} là bao nhiêu",
            "{greet}em muốn tố giác tội phạm mà không lộ danh tính thì làm thế nào",
            "{greet}nếu nhà bị cháy thì gọi số nào ạ",
            "{greet}bị lừa đảo qua mạng thì trình báo ở đâu",
            "{greet}em ở trọ thì có phải đăng ký tạm trú không",
            "{greet}giờ làm việc của {office} thế nào ạ",
            "{greet}người ngoài tỉnh có {proc} ở đây được không",
            "{greet}trẻ em dưới 14 tuổi có bắt buộc làm căn cước không",
            "{greet}{doc} hết hạn có bị phạt không ạ",
            "{greet}em bị phạt nguội thì nộp phạt qua mạng được không",
            "{greet}xin hỏi {proc} có cần mang theo sổ hộ khẩu không",
        ],
    ),
    # service feedback
    (
        "service_feedback",
        False,
        None,
        [
            "{greet}{staff} ở {office} thái độ hách dịch, quát tháo người dân",
            "{greet}em chờ cả buổi sáng ở {office} mà không ai tiếp",
            "{greet}hồ sơ {proc} của tôi trễ hẹn 1 tháng rồi chưa có kết quả",
            "{greet}xin cảm ơn {staff} đã nhiệt tình hướng dẫn gia đình tôi",
            "{greet}cảm ơn {office} đã giúp tìm lại {thing} cho em, các anh làm việc rất tận tâm",
            "{greet}{staff} gây khó dễ, bảo phải bồi dưỡng mới làm nhanh cho",
            "{greet}gọi đường dây nóng của {office} mãi không ai nghe máy",
            "{greet}cổng dịch vụ công bị lỗi không nộp được hồ sơ {proc}",
            "{greet}đề nghị {office} bố trí thêm bàn tiếp dân, đông quá phải xếp hàng từ sáng",
            "{greet}thủ tục {proc} rườm rà, bắt đi lại nhiều lần",
            "{greet}tôi rất hài lòng với cách làm việc của {office}, nhanh gọn",
            "{greet}{staff} làm việc chuyên nghiệp, tôi xin gửi lời khen",
            "{greet}phản ánh {staff} làm việc riêng, chơi điện thoại trong giờ làm",
            "{greet}tôi nộp hồ sơ {proc} đúng hẹn mà đến lấy lại bảo chưa có, đi lại mất công quá",
            "{greet}góp ý: {office} nên có chỗ để xe và ghế ngồi chờ cho người già",
            "{greet}{staff} hướng dẫn mỗi lần một kiểu, tôi phải bổ sung hồ sơ 3 lần",
            "{greet}tôi không hài lòng với {staff}, nói trống không, hỏi mãi không trả lời",
            "{greet}làm {doc} từ 2 tháng trước đến giờ vẫn chưa nhận được, gọi hỏi toàn bảo đợi",
            "{greet}nhắn tin hỏi trang này mấy ngày rồi mà chưa thấy ai trả lời",
            "{greet}bị thu thêm tiền ngoài lệ phí khi {proc}, đề nghị làm rõ",
            "{greet}ứng dụng VNeID lỗi suốt, đăng nhập không được, mong các anh phản ánh lên trên",
        ],
    ),
    # other
    (
        "other",
        False,
        None,
        [
            "{greet}xin chào",
            "alo alo",
            "có ai ở đó không",
            "chào buổi sáng ạ",
            "cảm ơn ạ",
            "ok em cảm ơn",
            "dạ vâng",
            "👍",
            "hihi",
            "test",
            "thử tin nhắn",
            "em nhắn nhầm, xin lỗi ạ",
            "vay tiền nhanh lãi suất thấp, giải ngân trong 30 phút, liên hệ 0987654321",
            "bán đất nền giá rẻ sổ đỏ chính chủ, lh 0912 345 678",
            "tuyển cộng tác viên làm tại nhà lương 500k/ngày, ib ngay",
            "nhận quà tri ân khách hàng tại http://qua-tang.xyz",
            "khuyến mãi sập sàn mỹ phẩm chính hãng giảm 50%",
            "chúc các anh công an một ngày tốt lành",
            "hôm nay trời đẹp quá",
            "mấy giờ rồi nhỉ",
            "kết quả bóng đá tối qua thế nào",
            "ad đẹp trai quá",
            "chúc mừng năm mới các anh",
            "ngủ ngon nha",
            "😂😂😂",
            "ok",
            "hello",
            "good morning",
            "em chào anh",
            "vâng ạ em biết rồi",
            "{greet}anh chị cho em làm quen được không",
            "bán hàng cháy hàng mỗi ngày, mua sỉ lh zalo",
            "chém gió tí cho vui",
            "ai chơi game không",
            "dạ em cảm ơn anh nhiều ạ",
            "nhận làm bằng đại học giá rẻ",
            "thuốc giảm cân cấp tốc liên hệ shop",
            "cho vay tín chấp không cần thế chấp tài sản, lãi suất ưu đãi, gọi ngay",
            "việc nhẹ lương cao, kiếm 1 triệu mỗi ngày chỉ với chiếc điện thoại",
            "cần bán xe máy cũ giá tốt, ai mua ib",
            "tuyển nhân viên bán hàng, lương cứng 8 triệu",
            "mua 1 tặng 1 chỉ hôm nay",
            "đầu tư ít lãi nhiều, tham gia nhóm ngay",
            "có phải trang của công an không ạ",
            "trang này có ai trực không",
            "em thử xem nhắn được không",
            "tôi chỉ muốn hỏi thăm sức khỏe các anh",
        ],
    ),
]

HELD_TEMPLATES = [
    (
        "crime_report",
        True,
        "113",
        [
            "{greet}khẩn cấp!! trộm vẫn còn trong sân nhà tôi {place}",
            "{greet}tôi đang bị hai tên cầm {weapon} khống chế đòi tiền, đang trốn vào nhà vệ sinh",
            "{greet}{who} vừa bị giật {thing} ngã xuống đường, kẻ cướp đang chạy",
            "{greet}báo gấp: có kẻ bắt cóc {who} {place}, xe màu đen",
            "{greet}nó đang đánh {who} dã man, em sợ quá, xin hãy tới",
            "{greet}có người mang {weapon} đến nhà đòi giết chồng tôi",
        ],
    ),
    (
        "crime_report",
        False,
        None,
        [
            "{greet}{time_past} tôi bị mất {thing} để trong sân, nghi bị trộm, nhờ công an xác minh",
            "{greet}tôi chuyển {money} cho bên {scam}, giờ họ chặn liên lạc",
            "{greet}phát hiện một nhóm thường xuyên mua bán chất cấm {place}",
            "{greet}khu tôi có người tổ chức chơi xóc đĩa ăn tiền {place}",
            "{greet}{who} bị ép vay tín dụng đen rồi bị đe dọa, tôi muốn báo công an",
            "{greet}muốn tố cáo người hàng xóm lừa gạt chiếm đoạt {money} của bà con",
            "{greet}{time_past} {who} bị đánh ở {place}, giờ vẫn còn nằm viện",
        ],
    ),
    (
        "public_order",
        True,
        "114",
        [
            "{greet}lửa bùng lên ở {building} {place}, mau đến",
            "{greet}{who} trượt chân ngã xuống {water}, chưa thấy nổi lên",
            "{greet}cháy rừng keo {place}, gió to lửa lan rất nhanh",
            "{greet}sạt lở đất vùi mất 1 ngôi nhà {place}, có người bên trong",
            "{greet}khói bốc ra từ {building} {place}, có tiếng người kêu cứu",
        ],
    ),
    (
        "public_order",
        True,
        "115",
        [
            "{greet}{who} tự nhiên co giật rồi bất tỉnh, gọi cấp cứu giúp",
            "{greet}xe khách tông xe máy {place}, 2 người nằm bất động",
            "{greet}{who} bị rắn cắn, chân tím đen, gần đây có bệnh viện nào",
        ],
    ),
    (
        "public_order",
        True,
        "113",
        [
            "{greet}một đám thanh niên cầm {weapon} đang hỗn chiến {place}",
            "{greet}đang có ẩu đả giữa 2 nhóm ở quán bi-a {place}",
        ],
    ),
    (
        "public_order",
        False,
        None,
        [
            "{greet}quán karaoke {place} hát xuyên đêm, người già không ngủ được",
            "{greet}xe container đỗ dưới lòng đường {place} rất dễ gây tai nạn",
            "{greet}đề nghị xử lý tình trạng nẹt pô, rú ga ban đêm {place}",
            "{greet}{time_past} ở {place} có va chạm giao thông nhỏ, đã tự thỏa thuận",
            "{greet}người dân tụ tập phơi nông sản chiếm đường {place}",
            "{greet}hộ kinh doanh {place} để loa quảng cáo mở hết công suất",
            "{greet}nhờ công an nhắc nhở nhà hàng {place} đốt vàng mã khói cả xóm",
        ],
    ),
    (
        "procedure_question",
        False,
        None,
        [
            "{greet}muốn {proc} thì phải chuẩn bị những gì",
            "{greet}{doc} làm xong thì nhận ở đâu, có gửi bưu điện không",
            "{greet}em đang ở nước ngoài có {proc} được không ạ",
            "{greet}phí {proc} hiện nay là bao nhiêu",
            "{greet}mấy giờ thì {office} mở cửa ạ",
            "{greet}thủ tục {proc} có phải về nơi thường trú không",
            "{greet}con em 16 tuổi thì đăng ký xe đứng tên được không",
        ],
    ),
    (
        "service_feedback",
        False,
        None,
        [
            "{greet}rất không hài lòng với {staff}, hỏi gì cũng gắt",
            "{greet}khen {staff}, hỗ trợ tôi tận tình ngoài giờ hành chính",
            "{greet}đã 3 tháng mà {doc} vẫn chưa có, hỏi thì bảo chờ, đề nghị xem xét",
            "{greet}nhân viên {office} hẹn sáng rồi lại hẹn chiều, mất cả ngày công",
            "{greet}trang web dịch vụ công hay bị treo, đề nghị khắc phục",
            "{greet}ủng hộ {office}, giải quyết hồ sơ nhanh hơn trước nhiều",
        ],
    ),
    (
        "other",
        False,
        None,
        [
            "chào ad nha",
            "tks ad",
            "alo có ai trực không",
            "dạ",
            "ừ ok",
            "haha",
            "xin chào buổi tối",
            "🙏🙏",
            "nhắn thử xem có trả lời không",
            "sale lớn cuối năm đồng hồ chính hãng giảm sốc",
            "cần bán gấp căn hộ 2 phòng ngủ",
            "hỗ trợ vay vốn không cần thế chấp, lãi 0%",
            "hi",
            "thanks",
            "trời mưa to quá ad ơi",
            "sinh nhật vui vẻ nhé",
            "cho mình kết bạn với",
        ],
    ),
]

# --- style: how people type -------------------------------------------------------------------

TEENCODE = [
    ("không", ["ko", "k", "hok", "kh", "khong"]),
    ("được", ["dc", "đc", "dk"]),
    ("gì", ["j", "gi"]),
    ("với", ["vs", "voi"]),
    ("bao nhiêu", ["bn", "bnh"]),
    ("công an", ["CA", "ca", "cong an"]),
    ("cảnh sát", ["cs"]),
    ("biết", ["bít", "bik"]),
    ("rồi", ["r", "roi"]),
    ("mọi người", ["mn", "mng"]),
    ("người", ["ng", "nguoi"]),
    ("đang", ["dag", "đag", "dang"]),
    ("trước", ["trc"]),
    ("như thế nào", ["ntn"]),
    ("làm", ["lm"]),
    ("cũng", ["cx"]),
    ("số điện thoại", ["sđt", "sdt"]),
    ("căn cước công dân", ["cccd", "CCCD"]),
    ("giấy phép lái xe", ["gplx", "GPLX"]),
    ("quá", ["wá", "qua"]),
    ("em ", ["e "]),
    ("anh ", ["a "]),
    ("đăng ký", ["đk", "dki"]),
    ("nói", ["ns"]),
    ("à", ["ah"]),
    ("bây giờ", ["bjo", "bh"]),
    ("tai nạn giao thông", ["tngt"]),
    ("ủy ban nhân dân", ["ubnd"]),
]
URGENT_TAILS = [
    "",
    "",
    "!!!",
    " nhanh lên",
    " cứu với",
    " gấp gấp",
    " ở đây nguy hiểm lắm",
    " các anh ơi",
    " 🆘",
    "!!",
]
CALM_TAILS = ["", "", "", " ạ", " với ạ", " nhé", "?", " a", " cảm ơn", " ạ.", "."]


def stylise(text: str, rng: random.Random, urgent: bool) -> str:
    text = text.strip()
    tails = URGENT_TAILS if urgent else CALM_TAILS
    text = (text + rng.choice(tails)).strip()
    if rng.random() < 0.35:
        for word, replacements in TEENCODE:
            if rng.random() < 0.6:
                pattern = rf"(?<!\w){word.strip()}(?!\w)"
                text = re.sub(pattern, lambda _m, r=replacements: rng.choice(r).strip(), text)
    roll = rng.random()
    if roll < 0.4:
        text = fold(text)  # no Vietnamese keyboard
    elif roll < 0.6:
        text = text.lower()
    elif roll < 0.65:
        text = text.upper()
    if rng.random() < 0.3:
        text = re.sub(r"[,.]", "", text)
    if rng.random() < 0.5 and text:
        text = text[0].upper() + text[1:]
    return text


def expand(templates, slots, per_template: int, seed: int, source: str) -> list[dict]:
    rng = random.Random(seed)
    rows, seen = [], set()
    for group, (category, urgent, hotline, phrasings) in enumerate(templates):
        kind = (
            "urgent" if urgent else "question" if category == "procedure_question" else ("neutral")
        )
        greets = slots[f"greet_{kind}"]
        for index, template in enumerate(phrasings):
            count = per_template if "{" in template else 3
            for _ in range(count * 4):
                if sum(1 for r in rows if r["template"] == f"{group}:{index}") >= count:
                    break
                filled = re.sub(
                    r"\{(\w+)\}",
                    lambda m, g=greets: rng.choice(
                        g if m.group(1) == "greet" else slots[m.group(1)]
                    ),
                    template,
                )
                text = stylise(filled, rng, urgent)
                if text in seen:
                    continue
                seen.add(text)
                rows.append(
                    {
                        "text": text,
                        "category": category,
                        "urgent": urgent,
                        "hotline": hotline,
                        "source": source,
                        "template": f"{group}:{index}",
                    }
                )
    for row in rows:
        del row["template"]
    return rows


def write(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    train = expand(TRAIN_TEMPLATES, TRAIN_SLOTS, per_template=16, seed=20250101, source="template")
    held = expand(HELD_TEMPLATES, HELD_SLOTS, per_template=6, seed=20250202, source="template")
    write(DATA / "generated_train.jsonl", train)
    write(DATA / "generated_heldout.jsonl", held)
    print(f"train {len(train)}, held-out {len(held)}")


if __name__ == "__main__":
    main()
