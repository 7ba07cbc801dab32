"""Demo plant model: a pump housing factory with machining and assembly."""

from equipment.models import Area, Machine, Site, WorkCenter

SITE = ("SZ", "Suzhou pump housing plant")
AREAS = [("MACH", "Machining hall"), ("ASSY", "Assembly hall")]
WORK_CENTERS = [
    ("CNC-T", "CNC turning", "MACH"),
    ("CNC-M", "CNC milling", "MACH"),
    ("WASH", "Washing and deburring", "ASSY"),
    ("ASM", "Assembly and test", "ASSY"),
]
# code, name, work center, manufacturer, ideal cycle seconds
MACHINES = [
    ("T01", "Lathe T01", "CNC-T", "DMG Mori", "42"),
    ("T02", "Lathe T02", "CNC-T", "DMG Mori", "42"),
    ("T03", "Lathe T03", "CNC-T", "Haas", "48"),
    ("M01", "Machining center M01", "CNC-M", "Mazak", "95"),
    ("M02", "Machining center M02", "CNC-M", "Mazak", "95"),
    ("W01", "Washer W01", "WASH", "Dürr", "30"),
    ("A01", "Assembly cell A01", "ASM", "In-house", "120"),
    ("A02", "Leak test stand A02", "ASM", "ATEQ", "60"),
]


def load() -> str:
    site, _created = Site.objects.get_or_create(
        code=SITE[0], defaults={"name": SITE[1], "time_zone": "Asia/Shanghai"}
    )
    areas = {
        code: Area.objects.get_or_create(site=site, code=code, defaults={"name": name})[
            0
        ]
        for code, name in AREAS
    }
    work_centers = {
        code: WorkCenter.objects.get_or_create(
            code=code, defaults={"name": name, "area": areas[area]}
        )[0]
        for code, name, area in WORK_CENTERS
    }
    for code, name, work_center, manufacturer, cycle in MACHINES:
        Machine.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "work_center": work_centers[work_center],
                "manufacturer": manufacturer,
                "ideal_cycle_seconds": cycle,
            },
        )
    return (
        f"{len(areas)} areas, {len(work_centers)} work centers, "
        f"{len(MACHINES)} machines"
    )
