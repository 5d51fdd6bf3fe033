# ruff: noqa: E501  (a data table: one category per line reads better)
"""A realistic demo catalogue (立结案标准), loaded by ``manage.py load_demo_catalogue``.

Sources (cn-standards §1.3, §1.4, §1.6, §6). Every number is a default marked ◐: local
practice from another city or an implementation, to be replaced by Tongliao's own
立结案标准 before go-live. Codes 01/0101/0102 of components are confirmed; other minor codes
follow the order of the standard's lists (❓).
"""

from __future__ import annotations

from typing import Any

WH, WD, CH = "working_hours", "working_days", "calendar_hours"

# (kind, major code, major name, [(minor code, name, service type, filing condition,
#   closing condition, (normal amount, unit), (urgent amount, unit), radius m, window h,
#   source note, questions)])
YES_NO = [{"code": "yes", "label": "是"}, {"code": "no", "label": "否"}]

Q = dict[str, Any]


def q(code: str, label: str, kind: str, required: bool = False, choices: Any = None) -> Q:
    return {"code": code, "label": label, "kind": kind, "required": required,
            "choices": choices or []}  # fmt: skip


COVER_FILE = "井盖缺失、破损、移位、松动或与路面高差超过1厘米"
COVER_CLOSE = "井盖已补齐或更换，平稳牢固，与路面平齐"
COVER = ((2, WD), (6, CH), 30, 72, "◐ 广州井盖办法(2021): 缺失/破损6小时内")

CATALOGUE: list[dict[str, Any]] = [
    {"kind": "component", "code": "01", "name": "公用设施", "children": [
        ("0101", "上水井盖", "municipal", COVER_FILE, COVER_CLOSE, *COVER, []),
        ("0102", "污水井盖", "municipal", COVER_FILE, COVER_CLOSE, *COVER, []),
        ("0103", "雨水井盖", "municipal", COVER_FILE, COVER_CLOSE, *COVER, []),
        ("0104", "雨水箅子", "municipal", "雨水箅子缺失、破损或堵塞", "箅子完好，排水通畅",
         (2, WD), (6, CH), 30, 72, "◐ 参照井盖", []),
        ("0105", "消火栓", "municipal", "消火栓损坏、漏水或被圈占", "消火栓完好，无漏水",
         (3, WD), (4, CH), 50, 72, "◐ 福州: 消防龙头漏水3个工作日", []),
        ("0106", "路灯", "municipal", "路灯不亮、灯杆倾斜或灯具破损", "路灯正常亮灯，灯杆灯具完好",
         (3, WD), (8, CH), 50, 72, "◐ 本地默认值", []),
    ]},
    {"kind": "component", "code": "03", "name": "市容环境", "children": [
        ("0301", "公共厕所", "sanitation", "公厕设施损坏、脏污或非正常关闭", "设施修复、保洁达标并开放",
         (1, WD), (4, WH), 100, 48, "◐ 本地默认值", []),
        ("0302", "垃圾箱", "sanitation", "垃圾箱破损、缺失或满溢", "垃圾箱完好并清空",
         (4, WH), (2, WH), 30, 24, "◐ 参照暴露垃圾4工作时", []),
        ("0304", "广告牌匾", "other", "广告牌匾破损、脱落或存在安全隐患", "牌匾修复或拆除，无安全隐患",
         (5, WD), (4, CH), 50, 168, "◐ 本地默认值", []),
    ]},
    {"kind": "component", "code": "04", "name": "园林绿化", "children": [
        ("0402", "行道树", "landscaping", "行道树倒伏、枯死、缺株或影响通行", "补植或扶正，树穴整洁",
         (5, WD), (4, CH), 50, 168, "◐ 城市A: 绿地养护5工作日", []),
    ]},
    {"kind": "event", "code": "01", "name": "市容环境", "children": [
        ("0101", "私搭乱建", "other", "公共区域未经批准搭建建(构)筑物", "违建拆除，场地清理",
         (7, WD), (4, WH), 50, 720, "◐ 城市A: 停工4工作时, 处罚7工作日",
         [q("area_m2", "搭建面积(平方米)", "number")]),
        ("0102", "暴露垃圾", "sanitation", "公共区域有暴露垃圾，面积0.5平方米以上或成堆",
         "垃圾清理干净，无残留，无异味", (4, WH), (2, WH), 30, 24, "◐ 城市A: 4工作时",
         [q("volume_m3", "垃圾量(立方米，估计)", "number")]),
        ("0103", "建筑垃圾/渣土", "sanitation", "公共区域乱倒建筑垃圾、渣土", "清运完毕，路面干净",
         (4, WH), (2, WH), 50, 48, "◐ 城市A: 4工作时", []),
        ("0104", "道路不洁", "sanitation", "8:00以后道路仍有明显垃圾、污渍或积尘", "路面干净，见本色",
         (2, WH), (1, WH), 100, 12, "◐ 城市A: 2工作时", []),
        ("0105", "绿地脏乱", "landscaping", "绿地内有垃圾、杂物", "绿地干净整洁",
         (4, WH), (2, WH), 50, 24, "◐ 城市A: 4工作时", []),
        ("0106", "绿地养护", "landscaping", "植物死亡、缺株、树穴塌陷", "补植完成，树穴平整",
         (5, WD), (2, WD), 50, 168, "◐ 城市A: 5工作日", []),
        ("0107", "焚烧垃圾/树叶", "sanitation", "露天焚烧垃圾或树叶", "火源熄灭，残渣清理",
         (2, WH), (1, CH), 100, 12, "◐ 本地默认值", []),
    ]},
    {"kind": "event", "code": "02", "name": "宣传广告", "children": [
        ("0201", "非法小广告", "sanitation", "墙面、设施上张贴涂写小广告", "清除干净，无残留",
         (1, WD), (4, WH), 30, 72, "◐ 济源: 1工作日", []),
    ]},
    {"kind": "event", "code": "03", "name": "施工管理", "children": [
        ("0301", "施工占道", "municipal", "施工未围挡或超范围占用道路", "恢复围挡或撤出占道，路面恢复",
         (2, WD), (4, WH), 100, 72, "◐ 本地默认值", []),
    ]},
    {"kind": "event", "code": "04", "name": "突发事件", "children": [
        ("0401", "路面积水", "municipal", "道路积水深度超过5厘米影响通行", "积水排除，通行恢复",
         (4, WH), (2, CH), 100, 12, "◐ 城市A: 4工作时", []),
        ("0402", "道路塌陷", "municipal", "路面塌陷、坑槽危及通行安全", "设置警示并修复路面",
         (2, WD), (4, CH), 50, 48, "◐ 本地默认值",
         [q("size", "塌陷范围", "single_choice", True,
            [{"code": "small", "label": "小于1平方米"}, {"code": "large", "label": "1平方米及以上"}])]),
    ]},
    {"kind": "event", "code": "05", "name": "街面秩序", "children": [
        ("0501", "占道经营", "other", "在道路、广场等公共场所占道经营", "摊点撤离，场地清洁",
         (1, WD), (2, WH), 50, 24, "◐ 本地默认值", []),
    ]},
    {"kind": "property", "code": "01", "name": "物业服务", "children": [
        ("0101", "电梯故障", "property", "住宅电梯停运、异响或困人", "电梯修复并经检验正常运行",
         (1, WD), (1, CH), 30, 24, "◐ 本地默认值(困人按紧急)",
         [q("people_trapped", "是否有人被困", "single_choice", True, YES_NO),
          q("building", "楼号单元", "string", True)]),
        ("0102", "供水故障", "property", "小区停水、水压不足或二次供水水质异常", "恢复正常供水",
         (1, WD), (4, CH), 100, 24, "◐ 本地默认值",
         [q("households", "影响户数", "number"), q("since", "停水开始时间", "datetime")]),
        ("0103", "垃圾未清运", "property", "小区垃圾桶满溢或垃圾超过24小时未清运", "垃圾清运完毕，桶周干净",
         (4, WH), (2, WH), 50, 24, "◐ 本地默认值", []),
        ("0104", "消防通道堵塞", "property", "小区消防通道被车辆或杂物占用", "消防通道畅通",
         (4, WH), (2, CH), 50, 24, "◐ 本地默认值",
         [q("obstruction", "占用物", "multiple_choice", True,
            [{"code": "vehicle", "label": "车辆"}, {"code": "goods", "label": "杂物"},
             {"code": "stall", "label": "摊点"}])]),
        ("0105", "公共照明损坏", "property", "楼道或小区路灯不亮", "照明恢复",
         (2, WD), (1, WD), 50, 72, "◐ 本地默认值", []),
    ]},
    {"kind": "snow", "code": "01", "name": "冰雪", "children": [
        ("0101", "主次干道积雪", "sanitation", "雪停后主次干道机动车道积雪未清", "机动车道见黑色路面、见道线",
         (12, CH), (6, CH), 200, 24, "◐ 许昌2024: 中雪主次干道6小时, 大雪12小时",
         [q("snow_level", "降雪等级", "single_choice", False,
            [{"code": "light", "label": "小雪"}, {"code": "moderate", "label": "中雪"},
             {"code": "heavy", "label": "大雪/暴雪"}])]),
        ("0102", "支路小巷积雪", "sanitation", "雪停后支路、背街小巷积雪未清", "路面无积雪，无存堆",
         (24, CH), (12, CH), 200, 24, "◐ 许昌2024: 支路12–24小时", []),
        ("0103", "桥坡结冰", "sanitation", "桥梁、坡道积雪结冰", "撒布融雪剂或破冰，无结冰",
         (6, CH), (2, CH), 100, 12, "◐ 本地默认值(桥坡优先)", []),
        ("0104", "人行道积雪结冰", "sanitation", "人行道、公交站台积雪结冰", "见铺装，无结冰",
         (24, CH), (12, CH), 100, 24, "◐ 哈尔滨: 人行道见铺装", []),
    ]},
]  # fmt: skip
