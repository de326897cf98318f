"""Labels of maps and the atlas in English, Kazakh and Russian.

Every label here is plain text; callers escape it before it reaches HTML.
The Kazakh and Russian wording is the developers' own (it reuses terms from
the source articles, e.g. "индустриалды аймақ"); it has not yet been reviewed
by a native speaker.
"""

from __future__ import annotations

import math
import re
from types import MappingProxyType
from typing import Literal

from zonegeo.errors import ValidationError

__all__ = [
    "LANGS",
    "Lang",
    "check_lang",
    "column_label",
    "format_number",
    "kind_label",
    "label",
    "status_label",
    "zone_kind_label",
]

Lang = Literal["en", "kk", "ru"]

#: Languages of map labels: English, Kazakh, Russian.
LANGS: tuple[str, ...] = ("en", "kk", "ru")

_T = MappingProxyType

_LABELS: MappingProxyType[str, MappingProxyType[str, str]] = _T(
    {
        # layers
        "district_boundary": _T(
            {"en": "District boundary", "kk": "Аудан шекарасы", "ru": "Граница района"}
        ),
        "districts": _T({"en": "Districts", "kk": "Аудандар", "ru": "Районы"}),
        "zones": _T({"en": "Zones", "kk": "Аймақтар", "ru": "Зоны"}),
        "plots": _T(
            {"en": "Land plots", "kk": "Жер учаскелері", "ru": "Земельные участки"}
        ),
        "idle_plots": _T(
            {
                "en": "Idle plots (deadline passed)",
                "kk": "Игерілмеген учаскелер (мерзімі өткен)",
                "ru": "Неосвоенные участки (срок истёк)",
            }
        ),
        "infrastructure": _T(
            {"en": "Infrastructure", "kk": "Инфрақұрылым", "ru": "Инфраструктура"}
        ),
        "settlements": _T(
            {"en": "Settlements", "kk": "Елді мекендер", "ru": "Населённые пункты"}
        ),
        "candidates": _T(
            {
                "en": "Candidate sites (ranked)",
                "kk": "Үміткер учаскелер (рейтинг)",
                "ru": "Участки-кандидаты (рейтинг)",
            }
        ),
        "excluded_candidates": _T(
            {
                "en": "Excluded candidate sites",
                "kk": "Алынып тасталған үміткер учаскелер",
                "ru": "Исключённые участки-кандидаты",
            }
        ),
        "buffers": _T(
            {
                "en": "Sanitary protection zones",
                "kk": "Санитариялық-қорғау аймақтары",
                "ru": "Санитарно-защитные зоны",
            }
        ),
        "exclusions": _T(
            {
                "en": "Exclusion areas",
                "kk": "Шектеу аймақтары",
                "ru": "Зоны ограничений",
            }
        ),
        "no_data": _T({"en": "No data", "kk": "Дерек жоқ", "ru": "Нет данных"}),
        "idle_unknown": _T(
            {
                "en": "idle status unknown (no build-by date)",
                "kk": "игерілу мәртебесі белгісіз (құрылыс мерзімі жоқ)",
                "ru": "освоение неизвестно (нет срока строительства)",
            }
        ),
        "unknown": _T({"en": "unknown", "kk": "белгісіз", "ru": "неизвестно"}),
        "simplified": _T(
            {
                "en": "Outlines simplified to {m} m for display; "
                "measures use full geometry",
                "kk": "Көрсету үшін контурлар {m} м-ге дейін жеңілдетілген; "
                "өлшемдер толық геометриямен есептелген",
                "ru": "Контуры упрощены до {m} м для показа; "
                "измерения выполнены по полной геометрии",
            }
        ),
        # legends and titles
        "plot_status": _T(
            {"en": "Plot status", "kk": "Учаске мәртебесі", "ru": "Статус участка"}
        ),
        "title_suffix": _T(
            {
                "en": "industrial zones and land plots",
                "kk": "индустриялық аймақтар мен жер учаскелері",
                "ru": "индустриальные зоны и земельные участки",
            }
        ),
        "region_title": _T(
            {
                "en": "Turkistan region: industrial zones atlas",
                "kk": "Түркістан облысы: индустриялық аймақтар атласы",
                "ru": "Туркестанская область: атлас индустриальных зон",
            }
        ),
        "kpi_title": _T(
            {
                "en": "Key figures by district",
                "kk": "Аудандар бойынша негізгі көрсеткіштер",
                "ru": "Основные показатели по районам",
            }
        ),
        "back_to_region": _T(
            {"en": "Region overview", "kk": "Облысқа шолу", "ru": "Обзор области"}
        ),
        "open_district": _T(
            {
                "en": "click to open the district map",
                "kk": "аудан картасын ашу үшін басыңыз",
                "ru": "нажмите, чтобы открыть карту района",
            }
        ),
        "rank_label": _T(
            {
                "en": "Rank of a candidate site",
                "kk": "Үміткер учаскенің орны",
                "ru": "Место участка-кандидата",
            }
        ),
        "raster_slope": _T({"en": "Slope", "kk": "Еңіс", "ru": "Уклон"}),
        "raster_hillshade": _T(
            {"en": "Shaded relief", "kk": "Рельеф көлеңкесі", "ru": "Отмывка рельефа"}
        ),
        "hillshade_ramp": _T(
            {
                "en": "in shadow \u2192 facing the light",
                "kk": "көлеңкеде \u2192 жарыққа қараған",
                "ru": "в тени \u2192 к свету",
            }
        ),
        "as_of": _T({"en": "as of", "kk": "жағдай бойынша", "ru": "по состоянию на"}),
        # controls
        "fullscreen": _T(
            {"en": "Full screen", "kk": "Толық экран", "ru": "Во весь экран"}
        ),
        "measure": _T(
            {
                "en": "Measure a distance",
                "kk": "Қашықтықты өлшеу",
                "ru": "Измерить расстояние",
            }
        ),
        "measure_hint": _T(
            {
                "en": "Click points on the map; double-click or Esc to finish",
                "kk": "Картадағы нүктелерді басыңыз; аяқтау үшін екі рет басыңыз "
                "немесе Esc",
                "ru": "Щёлкайте по точкам на карте; двойной щелчок или Esc — конец",
            }
        ),
        "minimap": _T({"en": "Overview", "kk": "Шолу картасы", "ru": "Обзорная карта"}),
        "unit_m": _T({"en": "m", "kk": "м", "ru": "м"}),
        "unit_km": _T({"en": "km", "kk": "км", "ru": "км"}),
        # popup fields
        "plot_id": _T({"en": "Plot", "kk": "Учаске", "ru": "Участок"}),
        "zone": _T({"en": "Zone", "kk": "Аймақ", "ru": "Зона"}),
        "zone_id": _T({"en": "Zone id", "kk": "Аймақ коды", "ru": "Код зоны"}),
        "district": _T({"en": "District", "kk": "Аудан", "ru": "Район"}),
        "name": _T({"en": "Name", "kk": "Атауы", "ru": "Название"}),
        "kind": _T({"en": "Kind", "kk": "Түрі", "ru": "Вид"}),
        "subtype": _T({"en": "Type", "kk": "Типі", "ru": "Тип"}),
        "established": _T(
            {"en": "Established", "kk": "Құрылған жылы", "ru": "Год создания"}
        ),
        "area_ha": _T({"en": "Area, ha", "kk": "Ауданы, га", "ru": "Площадь, га"}),
        "status": _T({"en": "Status", "kk": "Мәртебесі", "ru": "Статус"}),
        "investor": _T({"en": "Investor", "kk": "Инвестор", "ru": "Инвестор"}),
        "project": _T({"en": "Project", "kk": "Жоба", "ru": "Проект"}),
        "sector": _T({"en": "Sector", "kk": "Сала", "ru": "Отрасль"}),
        "investment_kzt": _T(
            {
                "en": "Investment, KZT",
                "kk": "Инвестиция, теңге",
                "ru": "Инвестиции, тенге",
            }
        ),
        "jobs_planned": _T(
            {
                "en": "Jobs planned",
                "kk": "Жоспарланған жұмыс орындары",
                "ru": "Рабочие места (план)",
            }
        ),
        "jobs_created": _T(
            {
                "en": "Jobs created",
                "kk": "Құрылған жұмыс орындары",
                "ru": "Создано рабочих мест",
            }
        ),
        "allocated_on": _T(
            {"en": "Allocated on", "kk": "Бөлінген күні", "ru": "Дата выделения"}
        ),
        "build_by": _T(
            {
                "en": "Build by",
                "kk": "Құрылыс мерзімі",
                "ru": "Срок начала строительства",
            }
        ),
        "days_overdue": _T(
            {"en": "Days overdue", "kk": "Мерзімі өткен күндер", "ru": "Дней просрочки"}
        ),
        "capacity": _T({"en": "Capacity", "kk": "Қуаты", "ru": "Мощность"}),
        "spare_capacity": _T(
            {"en": "Spare capacity", "kk": "Бос қуаты", "ru": "Резерв мощности"}
        ),
        "unit": _T({"en": "Unit", "kk": "Өлшем бірлігі", "ru": "Единица"}),
        "population": _T({"en": "Population", "kk": "Халқы", "ru": "Население"}),
        "reason": _T({"en": "Reason", "kk": "Себебі", "ru": "Причина"}),
        "buffer_m": _T({"en": "Buffer, m", "kk": "Буфер, м", "ru": "Буфер, м"}),
        "hazard_class": _T(
            {"en": "Hazard class", "kk": "Қауіптілік сыныбы", "ru": "Класс опасности"}
        ),
        "width_m": _T({"en": "Width, m", "kk": "Ені, м", "ru": "Ширина, м"}),
        "site_id": _T({"en": "Site", "kk": "Учаске", "ru": "Участок"}),
        "score": _T({"en": "Score", "kk": "Балл", "ru": "Балл"}),
        "rank": _T({"en": "Rank", "kk": "Орны", "ru": "Место"}),
        "p_top1": _T(
            {
                "en": "Ranked first, % of weight draws",
                "kk": "Бірінші орын, салмақ сынақтарының %",
                "ru": "На первом месте, % розыгрышей весов",
            }
        ),
        "p_top3": _T(
            {
                "en": "In the top 3, % of weight draws",
                "kk": "Үздік 3-те, салмақ сынақтарының %",
                "ru": "В первой тройке, % розыгрышей весов",
            }
        ),
        "rank_median": _T(
            {"en": "Median rank", "kk": "Медианалық орын", "ru": "Медианное место"}
        ),
        "eligible": _T({"en": "Eligible", "kk": "Жарамды", "ru": "Допустим"}),
        "excluded_because": _T(
            {
                "en": "Excluded because",
                "kk": "Алынып тасталу себебі",
                "ru": "Причина исключения",
            }
        ),
        "cost_total_kzt": _T(
            {
                "en": "Connection cost, total, KZT",
                "kk": "Қосылу құны, барлығы, теңге",
                "ru": "Стоимость подключения, всего, тенге",
            }
        ),
        "yes": _T({"en": "yes", "kk": "иә", "ru": "да"}),
        "no": _T({"en": "no", "kk": "жоқ", "ru": "нет"}),
        # families (formatted with the kind or column)
        "dist_kind_m": _T(
            {
                "en": "Distance to {kind}, m",
                "kk": "Қашықтық: {kind}, м",
                "ru": "Расстояние: {kind}, м",
            }
        ),
        "nearest_kind_id": _T(
            {
                "en": "Nearest {kind} feature",
                "kk": "Ең жақын нысан: {kind}",
                "ru": "Ближайший объект: {kind}",
            }
        ),
        "cost_kind_kzt": _T(
            {
                "en": "Connection cost, {kind}, KZT",
                "kk": "Қосылу құны, {kind}, теңге",
                "ru": "Стоимость подключения, {kind}, тенге",
            }
        ),
        "contrib": _T(
            {
                "en": "Contribution: {column}",
                "kk": "Үлесі: {column}",
                "ru": "Вклад: {column}",
            }
        ),
        "population_within": _T(
            {
                "en": "Population within {km} km",
                "kk": "{km} км радиустағы халық",
                "ru": "Население в радиусе {km} км",
            }
        ),
        "nearest_settlement": _T(
            {
                "en": "Nearest settlement",
                "kk": "Ең жақын елді мекен",
                "ru": "Ближайший населённый пункт",
            }
        ),
        # KPI table columns
        "zones_count": _T({"en": "Zones", "kk": "Аймақтар", "ru": "Зоны"}),
        "zones_ha": _T({"en": "Zones, ha", "kk": "Аймақтар, га", "ru": "Зоны, га"}),
        "plots_count": _T({"en": "Plots", "kk": "Учаскелер", "ru": "Участки"}),
        "plots_free": _T(
            {"en": "Free plots", "kk": "Бос учаскелер", "ru": "Свободные участки"}
        ),
        "occupancy_pct": _T(
            {"en": "Occupancy, %", "kk": "Толтырылуы, %", "ru": "Заполненность, %"}
        ),
        "projects": _T({"en": "Projects", "kk": "Жобалар", "ru": "Проекты"}),
        "idle_count": _T(
            {
                "en": "Idle plots",
                "kk": "Игерілмеген учаскелер",
                "ru": "Неосвоенные участки",
            }
        ),
        "idle_ha": _T(
            {"en": "Idle, ha", "kk": "Игерілмеген, га", "ru": "Неосвоено, га"}
        ),
        "region_total": _T(
            {
                "en": "Region total",
                "kk": "Облыс бойынша барлығы",
                "ru": "Итого по области",
            }
        ),
        # charts and the printed atlas (zonegeo.maps.charts, zonegeo.maps.printing)
        "charts_title": _T(
            {
                "en": "Charts of the key figures",
                "kk": "Негізгі көрсеткіштер диаграммалары",
                "ru": "Диаграммы основных показателей",
            }
        ),
        "chart_numbers": _T({"en": "Numbers", "kk": "Сандар", "ru": "Числа"}),
        "chart_occupancy": _T(
            {
                "en": "Occupancy by district",
                "kk": "Аудандар бойынша толтырылуы",
                "ru": "Заполненность по районам",
            }
        ),
        "chart_occupancy_caption": _T(
            {
                "en": "Share of the plot area that is allocated, under "
                "construction or operating, %. No bar: the district has no plots.",
                "kk": "Бөлінген, салынып жатқан немесе жұмыс істеп тұрған "
                "учаскелердің ауданы, %. Бағаны жоқ: ауданда учаске жоқ.",
                "ru": "Доля площади участков, которые выделены, строятся или "
                "действуют, %. Нет столбца: в районе нет участков.",
            }
        ),
        "chart_jobs": _T(
            {
                "en": "Jobs created against planned",
                "kk": "Құрылған және жоспарланған жұмыс орындары",
                "ru": "Создано рабочих мест против плана",
            }
        ),
        "chart_jobs_caption": _T(
            {
                "en": "Jobs planned (hatched) and created (solid) on the "
                "district's plots.",
                "kk": "Аудан учаскелеріндегі жоспарланған (штрихталған) және "
                "құрылған (тұтас) жұмыс орындары.",
                "ru": "Рабочие места по плану (штриховка) и созданные (сплошная "
                "заливка) на участках района.",
            }
        ),
        "chart_jobs_unit": _T({"en": "jobs", "kk": "жұмыс орны", "ru": "рабочих мест"}),
        "chart_investment": _T(
            {
                "en": "Investment by zone kind",
                "kk": "Аймақ түрлері бойынша инвестиция",
                "ru": "Инвестиции по видам зон",
            }
        ),
        "chart_investment_caption": _T(
            {
                "en": "Investment of the plots in each kind of zone, billion "
                "KZT (plots outside every zone are not included).",
                "kk": "Әр түрлі аймақтағы учаскелердің инвестициясы, млрд "
                "теңге (аймақтан тыс учаскелер кірмейді).",
                "ru": "Инвестиции участков в зонах каждого вида, млрд тенге "
                "(участки вне зон не учтены).",
            }
        ),
        "chart_bn_kzt": _T(
            {"en": "billion KZT", "kk": "млрд теңге", "ru": "млрд тенге"}
        ),
        "chart_idle": _T(
            {
                "en": "Idle hectares by district",
                "kk": "Аудандар бойынша игерілмеген гектарлар",
                "ru": "Неосвоенные гектары по районам",
            }
        ),
        "chart_idle_caption": _T(
            {
                "en": "Area of allocated plots whose construction deadline "
                "has passed, ha.",
                "kk": "Құрылыс мерзімі өткен бөлінген учаскелердің ауданы, га.",
                "ru": "Площадь выделенных участков с истёкшим сроком "
                "строительства, га.",
            }
        ),
        "chart_ha": _T({"en": "ha", "kk": "га", "ru": "га"}),
        "zone_detail": _T(
            {"en": "Zones in detail", "kk": "Аймақтар жақынырақ", "ru": "Зоны крупнее"}
        ),
        "more_zones": _T(
            {
                "en": "and {n} more zones (see the HTML atlas)",
                "kk": "және тағы {n} аймақ (HTML атласын қараңыз)",
                "ru": "другие зоны: {n} (см. HTML-атлас)",
            }
        ),
        "and_more": _T(
            {"en": "and {n} more", "kk": "және тағы {n}", "ru": "и ещё {n}"}
        ),
        "no_plots": _T(
            {
                "en": "No land plots are recorded in this district.",
                "kk": "Бұл ауданда жер учаскелері тіркелмеген.",
                "ru": "В этом районе не учтено ни одного земельного участка.",
            }
        ),
        "no_idle": _T(
            {
                "en": "No idle plots.",
                "kk": "Игерілмеген учаскелер жоқ.",
                "ru": "Неосвоенных участков нет.",
            }
        ),
        "idle_list": _T(
            {
                "en": "Idle plots, most overdue first",
                "kk": "Игерілмеген учаскелер, ең көп кешіккені басында",
                "ru": "Неосвоенные участки, сначала самые просроченные",
            }
        ),
        "district_figures": _T(
            {
                "en": "Key figures",
                "kk": "Негізгі көрсеткіштер",
                "ru": "Основные показатели",
            }
        ),
        "region_figures": _T(
            {
                "en": "Key figures of the region",
                "kk": "Облыстың негізгі көрсеткіштері",
                "ru": "Основные показатели области",
            }
        ),
        "data_source": _T({"en": "Data", "kk": "Деректер", "ru": "Данные"}),
        "demo_source": _T(
            {
                "en": "zonegeo demo data: approximate, not an official record",
                "kk": "zonegeo демо деректері: шамамен алынған, ресми дерек емес",
                "ru": "демо-данные zonegeo: приблизительные, не официальные",
            }
        ),
        "basemap_credit": _T(
            {"en": "Basemap", "kk": "Негізгі карта", "ru": "Подложка"}
        ),
        "projection": _T({"en": "Projection", "kk": "Проекция", "ru": "Проекция"}),
        "page_of": _T(
            {
                "en": "page {n} of {m}",
                "kk": "бет {n} / {m}",
                "ru": "стр. {n} из {m}",
            }
        ),
        "north": _T({"en": "N", "kk": "С", "ru": "С"}),
        "printed_with": _T(
            {"en": "Made with", "kk": "Жасалған құрал:", "ru": "Создано в"}
        ),
    }
)

_STATUS: MappingProxyType[str, MappingProxyType[str, str]] = _T(
    {
        "free": _T({"en": "Free", "kk": "Бос", "ru": "Свободен"}),
        "allocated": _T({"en": "Allocated", "kk": "Бөлінген", "ru": "Выделен"}),
        "construction": _T(
            {"en": "Under construction", "kk": "Құрылыс жүруде", "ru": "Строительство"}
        ),
        "operating": _T(
            {"en": "Operating", "kk": "Жұмыс істеп тұр", "ru": "Действует"}
        ),
        "idle": _T(
            {
                "en": "Idle: allocated, deadline passed",
                "kk": "Игерілмеген: бөлінген, мерзімі өткен",
                "ru": "Не освоен: выделен, срок истёк",
            }
        ),
    }
)

_ZONE_KINDS: MappingProxyType[str, MappingProxyType[str, str]] = _T(
    {
        "regional": _T(
            {
                "en": "Regional industrial zone",
                "kk": "Өңірлік индустриялық аймақ",
                "ru": "Региональная индустриальная зона",
            }
        ),
        "private": _T(
            {
                "en": "Private industrial zone",
                "kk": "Жеке индустриялық аймақ",
                "ru": "Частная индустриальная зона",
            }
        ),
        "small_park": _T(
            {
                "en": "Small industrial park",
                "kk": "Шағын өнеркәсіптік парк",
                "ru": "Малый промышленный парк",
            }
        ),
        "small_site": _T(
            {
                "en": "Small industrial zone",
                "kk": "Шағын өнеркәсіптік аймақ",
                "ru": "Малая промышленная зона",
            }
        ),
    }
)

_INFRA_KINDS: MappingProxyType[str, MappingProxyType[str, str]] = _T(
    {
        "gas": _T({"en": "Gas", "kk": "Газ", "ru": "Газ"}),
        "electricity": _T(
            {"en": "Electricity", "kk": "Электр", "ru": "Электроэнергия"}
        ),
        "water": _T({"en": "Water", "kk": "Су", "ru": "Вода"}),
        "road": _T({"en": "Road", "kk": "Жол", "ru": "Автодорога"}),
        "rail": _T({"en": "Railway", "kk": "Темір жол", "ru": "Железная дорога"}),
    }
)

#: What else a distance can be measured to (``dist_settlement_m``, ``dist_centre_m``).
_TARGETS: MappingProxyType[str, MappingProxyType[str, str]] = _T(
    {
        "settlement": _T(
            {"en": "Settlement", "kk": "Елді мекен", "ru": "Населённый пункт"}
        ),
        "centre": _T(
            {"en": "District centre", "kk": "Аудан орталығы", "ru": "Районный центр"}
        ),
    }
)

_FAMILIES = (
    (re.compile(r"^dist_(\w+?)_m$"), "dist_kind_m", "kind"),
    (re.compile(r"^nearest_(\w+?)_id$"), "nearest_kind_id", "kind"),
    (re.compile(r"^cost_(\w+?)_kzt$"), "cost_kind_kzt", "kind"),
    (re.compile(r"^contrib_(\w+)$"), "contrib", "column"),
    (re.compile(r"^population_within_(\d+(?:\.\d+)?)km$"), "population_within", "km"),
)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported language, else raise.

    Raises
    ------
    ValidationError
        Naming the allowed languages.
    """
    if lang not in LANGS:
        msg = f"unknown language lang={lang!r}; allowed: {', '.join(LANGS)}"
        raise ValidationError(msg)
    return lang


def label(key: str, lang: str) -> str:
    """Return the label ``key`` in ``lang`` (English when not translated)."""
    entry = _LABELS[key]
    return entry.get(lang) or entry["en"]


def status_label(status: str, lang: str) -> str:
    """Return the name of a plot status (or ``"idle"``) in ``lang``."""
    entry = _STATUS.get(status)
    return (entry.get(lang) or entry["en"]) if entry else str(status)


def zone_kind_label(kind: str, lang: str) -> str:
    """Return the name of a zone kind in ``lang``."""
    entry = _ZONE_KINDS.get(kind)
    return (entry.get(lang) or entry["en"]) if entry else str(kind)


def kind_label(kind: str, lang: str) -> str:
    """Return the name of an infrastructure kind (gas, ..., road, rail)."""
    entry = _INFRA_KINDS.get(kind)
    return (entry.get(lang) or entry["en"]) if entry else str(kind)


def column_label(column: str, lang: str) -> str:
    """Return a readable label for a data column in ``lang``.

    Known columns have fixed labels; ``dist_<kind>_m``, ``nearest_<kind>_id``,
    ``cost_<kind>_kzt`` and ``contrib_<column>`` are built from their parts;
    any other column is shown by its name.

    Examples
    --------
    >>> column_label("dist_gas_m", "en")
    'Distance to gas, m'
    >>> column_label("contrib_dist_gas_m", "en")
    'Contribution: Distance to gas, m'
    >>> column_label("population_within_15km", "ru")
    'Население в радиусе 15 км'
    """
    if column in _LABELS:
        return label(column, lang)
    for pattern, key, part in _FAMILIES:
        match = pattern.match(column)
        if match:
            inner = match.group(1)
            if part == "column":
                value = column_label(inner, lang)
            elif part == "km":
                value = inner
            else:
                entry = _TARGETS.get(inner)
                value = (
                    (entry.get(lang) or entry["en"])
                    if entry
                    else kind_label(inner, lang)
                )
            if part == "kind" and lang == "en":
                value = value.lower()
            return label(key, lang).format(**{part: value})
    return column


def format_number(value: object, lang: str, *, decimals: int = 0) -> str | None:
    """Format a number with the thousands separator of ``lang``; None for missing.

    English uses ``1,234.5``; Kazakh and Russian use a narrow no-break space
    and a decimal comma: ``1 234,5``.

    Examples
    --------
    >>> format_number(1234567.891, "en", decimals=1)
    '1,234,567.9'
    >>> format_number(float("nan"), "en") is None
    True
    """
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number):
        return None
    text = f"{number:,.{decimals}f}"
    if text in ("-0", "-0." + "0" * decimals):
        text = text[1:]
    if lang == "en":
        return text
    return text.replace(",", "\u202f").replace(".", ",")
