"""Name, place and handle tables for the identity benchmark generator (synthetic_identity.py).

Written for the generator alone, from general knowledge of naming in China, the US/UK and
France; deliberately NOT derived from identity/'s tables, so that the benchmark does not
grade the matcher against its own dictionaries. Frequencies are rough shares (Chinese
surnames follow published census ranks), heavy-tailed on purpose: namesakes are common.
"""

from __future__ import annotations

from typing import NamedTuple


class Part(NamedTuple):
    han: str  # "" for non-Chinese names
    latin: str  # pinyin without tones for Chinese names, the usual spelling otherwise
    weight: float


class City(NamedTuple):
    han: str
    english: str
    region_han: str
    region_english: str
    country: str


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(sep))


def _parts(table: str) -> tuple[Part, ...]:
    """'王:Wang:7.1 李:Li:7.0' (han:latin:weight, han optional) -> parts."""
    out = []
    for item in table.split():
        han, latin, weight = item.split(":")
        out.append(Part(han, latin.replace("_", " "), float(weight)))
    return tuple(out)


ZH_SURNAMES = _parts(
    "王:Wang:7.1 李:Li:7.0 张:Zhang:6.7 刘:Liu:5.4 陈:Chen:4.5 杨:Yang:3.1 黄:Huang:2.2 "
    "赵:Zhao:2.0 吴:Wu:2.0 周:Zhou:1.9 徐:Xu:1.3 孙:Sun:1.2 马:Ma:1.2 朱:Zhu:1.1 胡:Hu:1.1 "
    "郭:Guo:1.0 何:He:0.9 高:Gao:0.9 林:Lin:0.9 罗:Luo:0.8 郑:Zheng:0.8 梁:Liang:0.8 "
    "谢:Xie:0.6 宋:Song:0.5 唐:Tang:0.5 许:Xu:0.5 韩:Han:0.5 冯:Feng:0.5 邓:Deng:0.5 "
    "曹:Cao:0.5 彭:Peng:0.5 曾:Zeng:0.5 肖:Xiao:0.5 田:Tian:0.4 董:Dong:0.4 袁:Yuan:0.4 "
    "潘:Pan:0.4 于:Yu:0.4 蒋:Jiang:0.4 蔡:Cai:0.4 余:Yu:0.4 杜:Du:0.4 叶:Ye:0.4 程:Cheng:0.4 "
    "苏:Su:0.3 魏:Wei:0.3 吕:Lyu:0.3 丁:Ding:0.3 任:Ren:0.3 沈:Shen:0.3 姚:Yao:0.3 卢:Lu:0.3 "
    "姜:Jiang:0.3 崔:Cui:0.3 钟:Zhong:0.3 谭:Tan:0.3 陆:Lu:0.3 汪:Wang:0.3 范:Fan:0.3 "
    "金:Jin:0.3 石:Shi:0.3 廖:Liao:0.3 贾:Jia:0.2 夏:Xia:0.2 韦:Wei:0.2 方:Fang:0.2 白:Bai:0.2 "
    "邹:Zou:0.2 孟:Meng:0.2 熊:Xiong:0.2 秦:Qin:0.2 邱:Qiu:0.2 江:Jiang:0.2 尹:Yin:0.2 "
    "薛:Xue:0.2 段:Duan:0.2 雷:Lei:0.2 侯:Hou:0.2 龙:Long:0.2 陶:Tao:0.2 顾:Gu:0.2 毛:Mao:0.2 "
    "单:Shan:0.1 欧阳:Ouyang:0.1 司马:Sima:0.05 上官:Shangguan:0.03"
)
# (han, pinyin, weight); f/m lists overlap on purpose (many given names are unisex)
ZH_GIVEN_F = _parts(
    "芳:Fang:3 娜:Na:2.6 敏:Min:2.4 静:Jing:2.4 丽:Li:2.2 艳:Yan:1.8 娟:Juan:1.5 霞:Xia:1.3 "
    "婷:Ting:1.3 秀英:Xiuying:1.2 玲:Ling:1.1 桂英:Guiying:1 欣怡:Xinyi:1 子涵:Zihan:1 "
    "梓萱:Zixuan:0.9 雨桐:Yutong:0.9 佳怡:Jiayi:0.8 嘉怡:Jiayi:0.5 丽娟:Lijuan:0.7 "
    "海燕:Haiyan:0.7 晓燕:Xiaoyan:0.6 雪:Xue:0.6 琳:Lin:0.6 婧:Jing:0.4 思雨:Siyu:0.5 "
    "诗涵:Shihan:0.5 梦琪:Mengqi:0.4 晓雯:Xiaowen:0.4 颖:Ying:0.5 慧:Hui:0.5 倩:Qian:0.5 "
    "晶晶:Jingjing:0.3 美玲:Meiling:0.3 若曦:Ruoxi:0.2"
)
ZH_GIVEN_M = _parts(
    "伟:Wei:3.2 强:Qiang:2.2 磊:Lei:2.1 军:Jun:2 洋:Yang:1.8 勇:Yong:1.8 杰:Jie:1.7 "
    "涛:Tao:1.5 明:Ming:1.4 超:Chao:1.3 刚:Gang:1.1 平:Ping:1 浩:Hao:1 浩然:Haoran:0.9 "
    "宇轩:Yuxuan:0.9 子豪:Zihao:0.8 晓明:Xiaoming:0.8 志强:Zhiqiang:0.8 建华:Jianhua:0.7 "
    "俊杰:Junjie:0.7 文博:Wenbo:0.5 一鸣:Yiming:0.5 思远:Siyuan:0.5 鹏:Peng:0.6 斌:Bin:0.6 "
    "辉:Hui:0.6 波:Bo:0.5 宁:Ning:0.4 建国:Jianguo:0.4 志伟:Zhiwei:0.4 家豪:Jiahao:0.3 "
    "天佑:Tianyou:0.2 晨:Chen:0.4 凯:Kai:0.4"
)
# Characters a clerk or a user may type instead (same pinyin, another character).
ZH_HOMOPHONES = {
    "伟": "玮炜", "静": "婧", "丽": "莉俪", "明": "铭鸣", "军": "君", "芳": "方", "杰": "洁",
    "涛": "韬", "敏": "民", "娜": "那", "磊": "蕾", "婷": "亭", "玲": "铃", "斌": "彬",
    "辉": "晖", "颖": "莹", "雪": "雯", "强": "墙", "晨": "辰", "凯": "恺",
}  # fmt: skip
# English names Chinese people use on social media (and sometimes in a CRM).
ZH_ENGLISH_F = _words("Vivian Amy Cherry Coco Lily Grace Sophia Angela Cindy Wendy Yuki Jenny")
ZH_ENGLISH_M = _words("Kevin Tony Jason Eric Leo Jack David Allen Frank Peter Ray Sam")
# Unrelated nicknames (Chinese display names often have nothing of the real name).
ZH_NICKNAMES = _words(
    "快乐的小鱼 小可爱 追风少年 一只猫 星星 橘子汽水 晴天 夏天的风 奶茶续命 小太阳 "
    "不二 柠檬精 吃货一枚 旅行者 摄影师阿杰 宝宝 一条咸鱼 月亮 北极熊 岁月静好"
)

EN_SURNAMES = _parts(
    ":Smith:2.5 :Johnson:2 :Williams:1.7 :Brown:1.5 :Jones:1.5 :Garcia:1.2 :Miller:1.2 "
    ":Davis:1.1 :Wilson:1 :Taylor:1 :Anderson:0.9 :Thomas:0.9 :Moore:0.8 :Martin:0.8 "
    ":Jackson:0.8 :Thompson:0.8 :White:0.8 :Harris:0.7 :Clark:0.7 :Lewis:0.7 :Walker:0.7 "
    ":Hall:0.6 :Young:0.6 :Allen:0.6 :King:0.6 :Wright:0.6 :Scott:0.5 :Green:0.5 :Baker:0.5 "
    ":Adams:0.5 :Nelson:0.4 :Hill:0.4 :Campbell:0.4 :Mitchell:0.4 :Roberts:0.4 :Carter:0.4 "
    ":Phillips:0.3 :Evans:0.3 :Turner:0.3 :Parker:0.3 :Collins:0.3 :Edwards:0.3 :Stewart:0.3 "
    ":Murphy:0.3 :Cook:0.3 :O'Brien:0.2 :McDonald:0.2 :Fitzgerald:0.1 :Kowalski:0.1"
)
# given name -> short forms people go by (the generator's own list)
EN_GIVEN_F = {
    "Elizabeth": "Liz Beth Lizzie Betty", "Katherine": "Kate Katie Kathy", "Jennifer": "Jen Jenny",
    "Margaret": "Maggie Meg Peggy", "Rebecca": "Becky Becca", "Jessica": "Jess Jessie",
    "Samantha": "Sam Sammy", "Victoria": "Vicky Tori", "Patricia": "Pat Patty Trish",
    "Susan": "Sue Susie", "Deborah": "Debbie Deb", "Christina": "Chris Tina", "Abigail": "Abby",
    "Alexandra": "Alex Lexi", "Emily": "Em", "Olivia": "Liv", "Sarah": "", "Hannah": "",
    "Grace": "", "Chloe": "", "Megan": "Meg", "Amanda": "Mandy", "Nicole": "Nikki",
    "Stephanie": "Steph", "Laura": "", "Emma": "",
}  # fmt: skip
EN_GIVEN_M = {
    "Robert": "Bob Rob Bobby", "William": "Will Bill Billy Liam", "James": "Jim Jimmy Jamie",
    "Michael": "Mike Mikey", "Christopher": "Chris", "Richard": "Rick Rich Dick",
    "Thomas": "Tom Tommy", "Daniel": "Dan Danny", "Matthew": "Matt", "Anthony": "Tony",
    "Joseph": "Joe Joey", "Nicholas": "Nick", "Benjamin": "Ben Benny", "Jonathan": "Jon",
    "Edward": "Ed Ted Eddie", "Charles": "Charlie Chuck", "Andrew": "Andy Drew",
    "Steven": "Steve", "Alexander": "Alex Xander", "Timothy": "Tim", "Patrick": "Pat Paddy",
    "Gregory": "Greg", "Samuel": "Sam", "David": "Dave", "Ryan": "", "Jack": "",
}  # fmt: skip
FR_SURNAMES = _parts(
    ":Martin:2 :Bernard:1.2 :Dubois:1.1 :Thomas:1 :Robert:1 :Richard:1 :Petit:0.9 "
    ":Durand:0.9 :Leroy:0.8 :Moreau:0.8 :Simon:0.8 :Laurent:0.8 :Lefèvre:0.7 :Michel:0.7 "
    ":Garcia:0.6 :David:0.6 :Bertrand:0.5 :Roux:0.5 :Vincent:0.5 :Fournier:0.5 :Girard:0.4 "
    ":Bonnet:0.4 :Dupont:0.4 :Lambert:0.4 :Fontaine:0.3 :Rousseau:0.3 :Chevalier:0.3"
)
FR_GIVEN_F = _words("Camille Manon Léa Chloé Julie Sophie Emma Louise Hélène Amélie Claire Inès")
FR_GIVEN_M = _words("Julien Antoine Lucas Hugo Louis Thomas François Nicolas Mathieu Rémi Théo")
EN_NICKNAMES = _words(
    "coffee lover|wanderlust|sunny days|the foodie|night owl|bookworm|gym rat|"
    "cat mom|travel addict|just me|dreamer|music is life|la vie en rose",
    sep="|",
)

HANDLE_WORDS = _words(
    "sunny cat moon star lucky happy blue coffee travel dream cloud panda peach tiger "
    "snow candy bubble ocean lemon cookie pixel ninja angel rain summer"
)
DECORATIONS = (
    "✨{}✨",
    "{}🌸",
    "🌙{}",
    "『{}』",
    "{} | 摄影",
    "{}💕",
    "{} 🇨🇳",
    "★{}★",
    "{} ☕",
    "~{}~",
    "{} 🏀",
    "{}\uff08已婚\uff09",  # fullwidth parentheses, as typed in Chinese
    "{} 🐱",
)
SUBSTITUTE_LETTERS = "aeioulnrst"

CITIES = (
    City("上海", "Shanghai", "上海", "Shanghai", "CN"),
    City("北京", "Beijing", "北京", "Beijing", "CN"),
    City("广州", "Guangzhou", "广东", "Guangdong", "CN"),
    City("深圳", "Shenzhen", "广东", "Guangdong", "CN"),
    City("杭州", "Hangzhou", "浙江", "Zhejiang", "CN"),
    City("宁波", "Ningbo", "浙江", "Zhejiang", "CN"),
    City("成都", "Chengdu", "四川", "Sichuan", "CN"),
    City("武汉", "Wuhan", "湖北", "Hubei", "CN"),
    City("南京", "Nanjing", "江苏", "Jiangsu", "CN"),
    City("苏州", "Suzhou", "江苏", "Jiangsu", "CN"),
    City("西安", "Xi'an", "陕西", "Shaanxi", "CN"),
    City("重庆", "Chongqing", "重庆", "Chongqing", "CN"),
    City("天津", "Tianjin", "天津", "Tianjin", "CN"),
    City("长沙", "Changsha", "湖南", "Hunan", "CN"),
    City("厦门", "Xiamen", "福建", "Fujian", "CN"),
    City("青岛", "Qingdao", "山东", "Shandong", "CN"),
    City("", "New York", "", "New York", "US"),
    City("", "Los Angeles", "", "California", "US"),
    City("", "San Francisco", "", "California", "US"),
    City("", "Chicago", "", "Illinois", "US"),
    City("", "Austin", "", "Texas", "US"),
    City("", "London", "", "England", "GB"),
    City("", "Manchester", "", "England", "GB"),
    City("", "Edinburgh", "", "Scotland", "GB"),
    City("", "Paris", "", "Île-de-France", "FR"),
    City("", "Lyon", "", "Auvergne-Rhône-Alpes", "FR"),
    City("", "Marseille", "", "Provence-Alpes-Côte d'Azur", "FR"),
)
CITY_WEIGHTS = {"上海": 6, "北京": 5, "广州": 3, "深圳": 4, "杭州": 3, "成都": 2, "New York": 3,
                "London": 3, "Paris": 3}  # fmt: skip
# country: (calling code, mobile prefixes, subscriber digits after the prefix)
PHONES = {
    "CN": ("86", ("138", "139", "150", "186", "177", "135", "158", "189"), 8),
    "US": ("1", ("415", "212", "312", "512", "310", "646"), 7),
    "GB": ("44", ("7700", "7911", "7456"), 6),
    "FR": ("33", ("6", "7"), 8),
}
EMAIL_DOMAINS = {
    "zh": ("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com"),
    "en": ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com"),
    "fr": ("gmail.com", "orange.fr", "free.fr", "laposte.net", "hotmail.fr"),
}
PLATFORMS = {
    "zh": {"wechat": 30, "weibo": 25, "xiaohongshu": 20, "douyin": 20, "instagram": 5},
    "en": {"instagram": 35, "facebook": 25, "x": 20, "tiktok": 15, "linkedin": 5},
    "fr": {"instagram": 40, "facebook": 25, "x": 15, "tiktok": 15, "linkedin": 5},
}
