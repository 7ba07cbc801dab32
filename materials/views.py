from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from materials import queries
from materials.models import Item, ItemKind
from mes.roles import Role, role_required

MATERIALS_VIEWERS = (
    Role.MATERIALS,
    Role.PLANNER,
    Role.SUPERVISOR,
    Role.QUALITY,
    Role.ADMIN,
)


@role_required(*MATERIALS_VIEWERS)
def home(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if kind not in ItemKind.values:
        kind = ""
    items = queries.search_items(text, kind)[:500]
    context = {"items": items, "q": text, "kind": kind, "kinds": ItemKind.choices}
    if request.htmx:
        return render(request, "materials/home.html#item-rows", context)
    return render(request, "materials/home.html", context)


@role_required(*MATERIALS_VIEWERS)
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = Item.objects.select_related("unit").get(pk=pk)
    except Item.DoesNotExist:
        raise Http404 from None
    return render(request, "materials/item_detail.html", {"item": item})
