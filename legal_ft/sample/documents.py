"""Render a `Dispute` as one of the seven document types, in one of three heading styles.

Styles: ``house`` — the seed's «МОТИВИРОВОЧНАЯ ЧАСТЬ:» / «РЕЗОЛЮТИВНАЯ ЧАСТЬ:»; ``filing`` — headings real
filings use («Обстоятельства дела», «Правовое обоснование», «На основании изложенного, прошу:»); ``plain`` — no
headings at all. A ходатайство never has headings and stays short (900–1,500 characters).

The `Parts` switches let the defect step take a document apart (no reasoning, no demand, no citations) without
a second template.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import timedelta

from legal_ft.sample.disputes import Dispute
from legal_ft.sample.vocab import City, fmt_date, tidy

STYLES = ("house", "filing", "plain")
_STYLE_WEIGHTS = (0.4, 0.35, 0.25)


@dataclass(slots=True)
class Parts:
    """Which parts to render; the defect step turns some off."""

    reasoning: bool = True
    demand: bool = True
    citations: bool = True


@dataclass(slots=True)
class Rendered:
    doc_type: str
    style: str
    text: str
    draft: str  # the shorter draft the local model produced (metadata.local_response)
    instruction: str


_SENTENCE_RE = re.compile(r"(?<=[.;!?])\s+(?=[А-ЯЁA-Z«(])")
CITATION_PROBE = re.compile(r"\bст(?:\.|ат\w+)\s*\d|\bст\.\s*ст\.")


def strip_citations(text: str) -> str:
    """Drop every sentence that cites an article, keeping the rest of the document as it was."""
    lines = []
    for line in text.split("\n"):
        if not CITATION_PROBE.search(line):
            lines.append(line)
            continue
        kept = [s for s in _SENTENCE_RE.split(line) if not CITATION_PROBE.search(s)]
        if kept:
            lines.append(" ".join(kept))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


_GENERAL_COMMON = (
    "Иск предъявляется в суд по месту жительства или нахождения ответчика в соответствии со ст. 28 ГПК РФ; по "
    "искам о защите прав потребителей истец вправе выбрать суд по своему месту жительства (ч. 7 ст. 29 ГПК РФ).",
    "Согласно разъяснениям, содержащимся в постановлении Пленума Верховного Суда РФ от 24.03.2016 № 7, проценты "
    "за пользование чужими денежными средствами начисляются по день фактической уплаты суммы долга, что также "
    "учитывается истцом при формулировании требований.",
    "Государственная пошлина уплачена истцом в размере, установленном подп. 1 п. 1 ст. 333.19 НК РФ, исходя из "
    "цены иска; документ об уплате прилагается к исковому заявлению.",
    "Копия искового заявления с приложенными к нему документами направлена ответчику заказным письмом с описью "
    "вложения, что соответствует требованиям п. 6 ст. 132 ГПК РФ; почтовая квитанция прилагается.",
    "Истец неоднократно предлагал ответчику урегулировать спор мирным путём: направлял письма, предлагал "
    "рассрочку погашения задолженности и заключение мирового соглашения. Ответчик на предложения не ответил, что "
    "свидетельствует об уклонении от исполнения обязательства. В силу ст. 10 ГК РФ не допускается "
    "осуществление гражданских прав исключительно с намерением причинить вред другому лицу.",
    "В соответствии со ст. 12 ГК РФ защита гражданских прав осуществляется, в том числе, путём присуждения к "
    "исполнению обязанности в натуре, возмещения убытков и взыскания неустойки. Избранный истцом способ защиты "
    "соответствует характеру нарушения.",
    "Согласно ст. 401 ГК РФ лицо, не исполнившее обязательство, несёт ответственность при наличии вины; "
    "отсутствие вины доказывается лицом, нарушившим обязательство. Доказательств отсутствия своей вины ответчик "
    "не представил, обстоятельств непреодолимой силы не имелось.",
)
_GENERAL_ARBITRAZH = (
    "Иск предъявляется в арбитражный суд по месту нахождения ответчика в соответствии со ст. 35 АПК РФ; "
    "договором стороны иную подсудность не установили.",
    "Государственная пошлина уплачена истцом в размере, установленном подп. 1 п. 1 ст. 333.21 НК РФ, исходя из "
    "цены иска; платёжное поручение прилагается к исковому заявлению.",
    "Копия искового заявления и приложенных документов направлена ответчику заказным письмом с уведомлением о "
    "вручении в соответствии с п. 1 ст. 126 АПК РФ.",
    "Согласно разъяснениям, изложенным в п. 65 постановления Пленума Верховного Суда РФ от 24.03.2016 № 7, по "
    "требованию истца суд в резолютивной части решения указывает на взыскание неустойки до момента фактического "
    "исполнения обязательства.",
    "Истец неоднократно предлагал ответчику урегулировать спор: направлял акт сверки взаимных расчётов и проект "
    "соглашения о погашении задолженности в рассрочку. Акт сверки ответчиком не подписан, мотивированных "
    "возражений не поступило. В силу п. 3 ст. 1 ГК РФ участники гражданских правоотношений должны действовать "
    "добросовестно.",
    "В соответствии со ст. 401 ГК РФ лицо, не исполнившее обязательство при осуществлении предпринимательской "
    "деятельности, несёт ответственность, если не докажет, что надлежащее исполнение оказалось невозможным "
    "вследствие непреодолимой силы. Таких обстоятельств ответчик не приводил.",
    "В силу ст. 12 ГК РФ защита гражданских прав осуществляется путём присуждения к исполнению обязанности и "
    "взыскания неустойки; избранный истцом способ защиты соответствует характеру нарушенного права.",
)

_GENERIC_GROUNDS = (
    "Ответчик ненадлежащим образом исполнил принятые на себя обязательства, чем нарушил права и законные интересы "
    "истца. Такое поведение недопустимо, а нарушенное право подлежит защите.",
    "Истец полагает свои требования законными и обоснованными, поскольку они подтверждаются представленными "
    "документами и не могут быть опровергнуты ответчиком.",
    "Досудебное урегулирование спора результата не дало: ответчик на обращения не реагирует, задолженность "
    "не погашает и мер к урегулированию спора не принимает.",
)


def genitive(adjective: str) -> str:
    """«Советский» → «Советского», «Центральный» → «Центрального», «Тверской» → «Тверского» (district names)."""
    return adjective[:-2] + "ого" if adjective.endswith(("ий", "ый", "ой")) else adjective


def _court_general(rng: random.Random, city: City, amount: int) -> tuple[str, str]:
    """(header line for the court, short name) for a court of general jurisdiction."""
    district = rng.choice(city.districts)
    if 0 < amount <= 100_000 and rng.random() < 0.7:
        n = rng.randint(1, 140)
        return (f"Мировому судье судебного участка № {n} {genitive(district)} судебного района {city.genitive}",
                f"мирового судьи судебного участка № {n} {genitive(district)} судебного района {city.genitive}")
    return f"В {district} районный суд {city.genitive}", f"{genitive(district)} районного суда {city.genitive}"


def _case_no(rng: random.Random, city: City, arbitrazh: bool, year: int) -> str:
    if arbitrazh:
        return f"№ {city.arbitrazh_code}-{rng.randint(1000, 199999)}/{year}"
    return f"№ 2-{rng.randint(100, 9999)}/{year}"


def _party_block(label: str, party, full: bool) -> str:
    return f"{label}: {party.name}\n{party.details}" if full else f"{label}: {party.name}"


def _signature(rng: random.Random, d: Dispute, who, when) -> str:
    sign = who.signer or "________ /представитель по доверенности/"
    if rng.random() < 0.5:
        return f"{fmt_date(when, long=rng.random() < 0.4)}\t\t\t{sign}"
    return f"Дата: {fmt_date(when)}\nПодпись: {sign}"


def _numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {item[0].upper()}{item[1:]}" for i, item in enumerate(items, 1))


def _attachments(items: list[str]) -> str:
    return "Приложения:\n" + _numbered(items)


def _headings(style: str, doc: str) -> tuple[str | None, str | None, str]:
    """(facts heading, grounds heading, demand lead) for a style; a missing heading means none."""
    if style == "house":
        return None, "МОТИВИРОВОЧНАЯ ЧАСТЬ:", "РЕЗОЛЮТИВНАЯ ЧАСТЬ:"
    if style == "filing":
        return "Обстоятельства дела", "Правовое обоснование", ""
    return None, None, ""


def _body(rng: random.Random, d: Dispute, style: str, parts: Parts, target: int, extra_paras: list[str],
          facts: list[str], grounds: list[str]) -> list[str]:
    """Facts and grounds, grown with optional paragraphs until the document nears ``target`` characters."""
    facts_h, grounds_h, _ = _headings(style, "")
    if not parts.citations:
        grounds = list(_GENERIC_GROUNDS[: rng.randint(1, 3)])
        extra_paras = []
    out: list[str] = []
    if not parts.reasoning:
        return out
    chosen_extra: list[str] = []
    size = sum(len(p) for p in facts) + sum(len(p) for p in grounds)
    for para in extra_paras:
        if size >= target:
            break
        chosen_extra.append(para)
        size += len(para)
    if size < target - 300:
        facts = list(facts) + [_chronology(rng, d, (target - size) // 170)]
    if style == "house":
        out.append(grounds_h)  # the house style puts facts and law under one reasoning heading
        out.extend(facts)
        out.extend(grounds)
        out.extend(chosen_extra)
    else:
        if facts_h:
            out.append(facts_h)
        out.extend(facts)
        if grounds_h:
            out.append(grounds_h)
        out.extend(grounds)
        out.extend(chosen_extra)
    return out


_EVENTS = (
    "{a} направил(а) {b} письмо исх. № {n} с предложением урегулировать спор; ответа не последовало",
    "представители сторон провели переговоры, по итогам которых {b} обязался(ась) погасить задолженность до "
    "конца месяца, однако обязательство не исполнил(а)",
    "{a} повторно обратился(ась) к {b} с требованием исполнить обязательство, приложив расчёт суммы",
    "{b} в ответном письме признал(а) факт нарушения, сославшись на временные финансовые трудности",
    "{a} направил(а) {b} акт сверки взаимных расчётов; акт возвращён без подписи и без возражений",
    "сторонами подписан протокол разногласий, согласованный срок исполнения также нарушен",
    "{a} уведомил(а) {b} о начислении неустойки и намерении обратиться в суд",
    "{b} частично исполнил(а) обязательство на сумму {m}, оставшаяся часть не исполнена",
    "{a} получил(а) уведомление о вручении претензии {b}",
    "в адрес {b} направлена телеграмма с предложением явиться для составления акта; представитель не явился",
)


def _chronology(rng: random.Random, d: Dispute, entries: int) -> str:
    """A dated list of what happened between the parties: how real filings grow long."""
    entries = max(2, min(entries, 28))
    day = d.event_date
    lines = ["Хронология взаимоотношений сторон:"]
    for _ in range(entries):
        day = day + timedelta(days=rng.randint(3, 40))
        event = rng.choice(_EVENTS).format(a=d.plaintiff.short, b=d.defendant.short, n=rng.randint(10, 999),
                                           m=_money(rng.randint(1, 50) * 1_000))
        lines.append(f"- {fmt_date(day)} — {event};")
    lines[-1] = lines[-1][:-1] + "."
    return "\n".join(lines)


def _extra_paras(rng: random.Random, d: Dispute, arbitrazh: bool) -> list[str]:
    paras = list(d.extra_grounds)
    rng.shuffle(paras)
    if d.calculation and rng.random() < 0.8:
        paras.insert(rng.randint(0, len(paras)), "\n".join(d.calculation))
    costs = ("В соответствии со ст. 110 АПК РФ судебные расходы, понесённые лицами, участвующими в деле, в пользу "
             "которых принят судебный акт, взыскиваются арбитражным судом со стороны." if arbitrazh else
             "В силу ч. 1 ст. 98 ГПК РФ стороне, в пользу которой состоялось решение суда, суд присуждает возместить "
             "с другой стороны все понесённые по делу судебные расходы. Согласно ч. 1 ст. 100 ГПК РФ расходы на "
             "оплату услуг представителя присуждаются в разумных пределах.")
    paras.append(costs)
    general = list(_GENERAL_ARBITRAZH if arbitrazh else _GENERAL_COMMON)
    rng.shuffle(general)
    paras.extend(general)
    paras.append(
        "Обстоятельства, на которых основаны требования, подтверждаются приложенными к заявлению документами: "
        + "; ".join(d.evidence[: rng.randint(2, len(d.evidence))]) + "."
    )
    if arbitrazh:
        paras.append("Согласно ч. 1 ст. 65 АПК РФ каждое лицо, участвующее в деле, должно доказать обстоятельства, на "
                     "которые оно ссылается как на основание своих требований и возражений.")
    else:
        paras.append("В соответствии с ч. 1 ст. 56 ГПК РФ каждая сторона должна доказать те обстоятельства, на которые "
                     "она ссылается как на основания своих требований и возражений.")
    return paras


def _demand(style: str, verb: str, items: list[str], basis: str = "", lead: bool = True) -> str:
    """The request part: «На основании изложенного, руководствуясь …, ПРОШУ СУД:» and numbered items."""
    listing = _numbered(items)
    if style == "filing":
        if verb == "ТРЕБУЮ":
            return f"На основании изложенного ТРЕБУЮ:\n{listing}"
        return f"На основании изложенного{', ' + basis if basis else ''}, {verb.lower()}:\n{listing}"
    intro = "На основании изложенного" if lead else ""
    if basis:
        intro = f"{intro}, {basis}" if intro else basis[0].upper() + basis[1:]
    line = f"{intro},\n{verb}:" if intro else f"{verb}:"
    if style == "house":
        return f"РЕЗОЛЮТИВНАЯ ЧАСТЬ:\n{line}\n{listing}"
    return f"{line}\n{listing}"


def _target_length(rng: random.Random) -> int:
    return int(rng.choice((1400, 2200, 3000, 4000, 5000, 6500, 7600)) * rng.uniform(0.8, 1.05))


def render(rng: random.Random, d: Dispute, doc_type: str, parts: Parts | None = None,
           style: str | None = None) -> Rendered:
    parts = parts or Parts()
    style = style or rng.choices(STYLES, _STYLE_WEIGHTS)[0]
    fn = _RENDERERS[doc_type]
    if doc_type == "motion":
        style = "plain"
    text, instruction = fn(rng, d, style, parts)
    if not parts.citations:
        text = strip_citations(text)
    return Rendered(doc_type, style, tidy(text), tidy(_draft(rng, d, doc_type)), instruction)


def _claim(rng: random.Random, d: Dispute, style: str, parts: Parts, arbitrazh: bool = False) -> tuple[str, str]:
    target = _target_length(rng)
    full = target > 1800
    when = d.event_date + timedelta(days=rng.randint(60, 400))
    if arbitrazh:
        court = f"В {d.city.arbitrazh}"
    else:
        court, _ = _court_general(rng, d.city, d.amount)
    detailed = full or arbitrazh
    head = [court, _party_block("Истец", d.plaintiff, detailed), _party_block("Ответчик", d.defendant, detailed)]
    if d.amount:
        head.append(f"Цена иска: {_money(d.amount)}")
    title = f"ИСКОВОЕ ЗАЯВЛЕНИЕ\n{d.subject}"
    facts = list(d.facts)
    grounds = list(d.grounds)
    if arbitrazh:
        grounds.append("Досудебный порядок урегулирования спора, предусмотренный ч. 5 ст. 4 АПК РФ, истцом соблюдён: "
                       "претензия направлена ответчику, однако в течение тридцати календарных дней ответ на неё не "
                       "поступил.")
    body = _body(rng, d, style, parts, target - 900, _extra_paras(rng, d, arbitrazh), facts, grounds)
    blocks = head + [title] + body
    if parts.demand:
        basis = ("руководствуясь ст. 4, 110, 125, 126 АПК РФ" if arbitrazh else "руководствуясь ст. 131, 132 ГПК РФ")
        verb = rng.choice(("ПРОШУ СУД", "ПРОШУ СУД", "ПРОШУ")) if style != "filing" else "прошу"
        blocks.append(_demand(style, verb, d.claims, basis if rng.random() < 0.8 else "", rng.random() < 0.7))
    blocks.append(_attachments(d.evidence))
    blocks.append(_signature(rng, d, d.plaintiff, when))
    instruction = rng.choice((
        "Составь исковое заявление по фактическим обстоятельствам дела.",
        "Подготовь исковое заявление в суд на основании изложенных обстоятельств.",
        f"Напиши исковое заявление {d.subject}.",
        "Составь иск по этим фактам." if not arbitrazh else "Составь исковое заявление в арбитражный суд.",
    ))
    return "\n\n".join(blocks), instruction


def _arbitration_claim(rng, d, style, parts):
    return _claim(rng, d, style, parts, arbitrazh=True)


def _pretension(rng: random.Random, d: Dispute, style: str, parts: Parts) -> tuple[str, str]:
    target = _target_length(rng) * 2 // 3
    when = d.event_date + timedelta(days=rng.randint(30, 300))
    addressee = (f"Генеральному директору {d.defendant.name}" if d.defendant.is_org else f"{d.defendant.name}")
    head = [f"Кому: {addressee}\n{d.defendant.details}", f"От кого: {d.plaintiff.name}\n{d.plaintiff.details}"]
    if rng.random() < 0.5:
        head = [f"{addressee}\n{d.defendant.details}", f"от {d.plaintiff.name}\n{d.plaintiff.details}"]
    title = rng.choice(("ПРЕТЕНЗИЯ", "ДОСУДЕБНАЯ ПРЕТЕНЗИЯ", "ПРЕТЕНЗИЯ\n(досудебная)")) + f"\n{d.subject}"
    grounds = list(d.grounds)
    body = _body(rng, d, style, parts, target - 800, _extra_paras(rng, d, d.b2b)[:2], list(d.facts), grounds)
    blocks = head + [title] + body
    if parts.demand:
        blocks.append(_demand(style, "ТРЕБУЮ", d.pretension_demands or d.claims, "", rng.random() < 0.6))
        blocks.append(rng.choice((
            "В случае неудовлетворения настоящей претензии в указанный срок буду вынужден(а) обратиться в суд с "
            "исковым заявлением, что повлечёт для Вас дополнительные расходы по оплате государственной пошлины, "
            "услуг представителя и иных судебных издержек.",
            "В случае неудовлетворения претензии обращусь в суд за защитой нарушенных прав; в этом случае с Вас "
            "будут дополнительно взысканы судебные расходы.",
        )))
    blocks.append(_attachments(d.evidence[: rng.randint(2, len(d.evidence))]))
    blocks.append(_signature(rng, d, d.plaintiff, when))
    instruction = rng.choice((
        "Составь досудебную претензию по фактическим обстоятельствам.",
        "Подготовь претензию контрагенту на основании фактов.",
        "Напиши претензию с требованием и сроком исполнения.",
    ))
    return "\n\n".join(blocks), instruction


def _appeal(rng: random.Random, d: Dispute, style: str, parts: Parts) -> tuple[str, str]:
    arbitrazh = d.b2b
    decided = d.event_date + timedelta(days=rng.randint(200, 500))
    when = decided + timedelta(days=rng.randint(5, 28))
    year = decided.year
    if arbitrazh:
        court = f"В {d.city.arbitrazh_appeal}\nчерез {d.city.arbitrazh}"
        first = d.city.arbitrazh
        first_gen = "Арбитражного суда " + d.city.arbitrazh.removeprefix("Арбитражный суд ")
    else:
        district = rng.choice(d.city.districts)
        court = f"В {d.city.regional}\nчерез {district} районный суд {d.city.genitive}"
        first_gen = f"{genitive(district)} районного суда {d.city.genitive}"
    case = _case_no(rng, d.city, arbitrazh, year)
    head = [court, f"Дело {case}", _party_block("Заявитель (ответчик)", d.defendant, True),
            _party_block("Истец", d.plaintiff, rng.random() < 0.5)]
    title = f"АПЕЛЛЯЦИОННАЯ ЖАЛОБА\nна решение {first_gen} от {fmt_date(decided)} по делу {case}"
    facts = [
        f"Решением {first_gen} от {fmt_date(decided)} удовлетворены исковые требования {d.subject} (истец — "
        f"{d.plaintiff.name}, ответчик — {d.defendant.name}). С решением суда заявитель не согласен, считает его "
        "незаконным и необоснованным "
        "по следующим основаниям.",
    ] + list(d.objections)
    if arbitrazh:
        law = ["В силу ч. 1 ст. 270 АПК РФ основаниями для изменения или отмены решения арбитражного суда первой "
               "инстанции являются неполное выяснение обстоятельств, имеющих значение для дела, несоответствие "
               "выводов обстоятельствам дела и нарушение норм материального права.",
               "Жалоба подана в срок, установленный ч. 1 ст. 259 АПК РФ, и соответствует требованиям ст. 260 АПК РФ."]
        basis = "руководствуясь ст. 257, 260, 269 АПК РФ"
    else:
        law = ["В соответствии с ч. 1 ст. 330 ГПК РФ основаниями для отмены или изменения решения суда в "
               "апелляционном порядке являются неправильное определение обстоятельств, имеющих значение для дела, "
               "несоответствие выводов суда обстоятельствам дела и неправильное применение норм материального права.",
               "Жалоба подана в месячный срок, установленный ч. 2 ст. 321 ГПК РФ, и отвечает требованиям ст. 322 "
               "ГПК РФ."]
        basis = "руководствуясь ст. 320, 321, 322, 328 ГПК РФ"
    body = _body(rng, d, style, parts, _target_length(rng) - 900, [], facts, law)
    blocks = head + [title] + body
    if parts.demand:
        items = [f"Решение {first_gen} от {fmt_date(decided)} по делу {case} отменить.",
                 "Принять по делу новое решение, которым в удовлетворении исковых требований отказать в полном объёме."]
        if rng.random() < 0.3:
            items = [f"Решение {first_gen} от {fmt_date(decided)} изменить, снизив размер взысканной неустойки на "
                     "основании ст. 333 ГК РФ."]
        verb = "ПРОШУ" if style != "filing" else "прошу"
        blocks.append(_demand(style, verb, items, basis, rng.random() < 0.7))
    blocks.append(_attachments(["документ об уплате государственной пошлины",
                                "документы, подтверждающие направление копий жалобы лицам, участвующим в деле",
                                "копия доверенности представителя"]))
    blocks.append(_signature(rng, d, d.defendant, when))
    instruction = rng.choice(("Составь апелляционную жалобу на решение суда по этим обстоятельствам.",
                              "Подготовь апелляционную жалобу.",
                              "Напиши апелляционную жалобу на решение первой инстанции."))
    return "\n\n".join(blocks), instruction


def _response(rng: random.Random, d: Dispute, style: str, parts: Parts) -> tuple[str, str]:
    arbitrazh = d.b2b
    when = d.event_date + timedelta(days=rng.randint(90, 400))
    court = f"В {d.city.arbitrazh}" if arbitrazh else _court_general(rng, d.city, d.amount)[0]
    case = _case_no(rng, d.city, arbitrazh, when.year)
    head = [court, f"Дело {case}", _party_block("Истец", d.plaintiff, rng.random() < 0.5),
            _party_block("Ответчик", d.defendant, True)]
    title = rng.choice(("ОТЗЫВ НА ИСКОВОЕ ЗАЯВЛЕНИЕ", "ВОЗРАЖЕНИЯ НА ИСКОВОЕ ЗАЯВЛЕНИЕ", "ОТЗЫВ\nна исковое заявление"))
    facts = [f"В производстве суда находится дело {case} {d.subject} (истец — {d.plaintiff.name}, ответчик — "
             f"{d.defendant.name}). Ответчик с исковыми требованиями не согласен по следующим основаниям.",
             *d.objections]
    law = [("Согласно ч. 1 ст. 65 АПК РФ каждое лицо, участвующее в деле, должно доказать обстоятельства, на которые "
            "оно ссылается; в силу ст. 131 АПК РФ ответчик представляет отзыв с доказательствами в обоснование "
            "возражений.") if arbitrazh else
           ("В соответствии с ч. 1 ст. 56 ГПК РФ каждая сторона должна доказать те обстоятельства, на которые она "
            "ссылается как на основания своих требований и возражений. Истцом такие доказательства не представлены.")]
    body = _body(rng, d, style, parts, _target_length(rng) * 2 // 3 - 700, [], facts, law)
    blocks = head + [title] + body
    if parts.demand:
        items = ["В удовлетворении исковых требований истца отказать в полном объёме."]
        if rng.random() < 0.5:
            items.append("В случае удовлетворения иска снизить размер неустойки на основании ст. 333 ГК РФ.")
        verb = "ПРОШУ" if style != "filing" else "прошу"
        blocks.append(_demand(style, verb, items, "", rng.random() < 0.7))
    blocks.append(_attachments(["копия отзыва для истца", "документы, подтверждающие возражения ответчика"]))
    blocks.append(_signature(rng, d, d.defendant, when))
    instruction = rng.choice(("Составь отзыв на исковое заявление.", "Подготовь возражения на иск от имени ответчика.",
                              "Напиши отзыв ответчика на иск по этим обстоятельствам."))
    return "\n\n".join(blocks), instruction


_MOTIONS = (
    ("о назначении судебной экспертизы", ("ст. 79 ГПК РФ", "ст. 82 АПК РФ"),
     "Для разрешения вопросов, требующих специальных знаний, в частности о размере ущерба и причинах выявленных "
     "недостатков, необходимо назначить по делу судебную экспертизу.",
     "назначить по делу судебную экспертизу, поручив её проведение экспертам {org}; на разрешение экспертов поставить "
     "вопрос об определении стоимости устранения недостатков; расходы на проведение экспертизы возложить на "
     "заявителя."),
    ("об истребовании доказательств", ("ч. 1 ст. 57 ГПК РФ", "ч. 4 ст. 66 АПК РФ"),
     "Заявитель не имеет возможности самостоятельно получить документы, необходимые для правильного разрешения "
     "спора: они находятся у ответчика, который на запросы не отвечает.",
     "истребовать у ответчика копии первичных учётных документов и переписку сторон за спорный период."),
    ("о принятии мер по обеспечению иска", ("ст. 139, 140 ГПК РФ", "ст. 90, 91 АПК РФ"),
     "Ответчик предпринимает действия по отчуждению имущества, что может затруднить или сделать невозможным "
     "исполнение решения суда.",
     "наложить арест на имущество и денежные средства ответчика в пределах цены иска — {amount}."),
    ("об отложении судебного заседания", ("ст. 169 ГПК РФ", "ст. 158 АПК РФ"),
     "Представитель заявителя не может явиться в судебное заседание по уважительной причине — в связи с "
     "болезнью, что подтверждается листком нетрудоспособности.",
     "отложить судебное заседание, назначенное на {date}, на другую дату."),
    ("о восстановлении пропущенного процессуального срока", ("ст. 112 ГПК РФ", "ст. 117 АПК РФ"),
     "Копия мотивированного решения получена заявителем по почте лишь спустя три недели после его изготовления, "
     "поэтому срок на обжалование пропущен по уважительной причине.",
     "восстановить пропущенный процессуальный срок на подачу апелляционной жалобы на решение суда от {date}."),
    ("о рассмотрении дела в отсутствие истца", ("ч. 5 ст. 167 ГПК РФ", "ч. 2 ст. 156 АПК РФ"),
     "Истец извещён о времени и месте судебного заседания надлежащим образом, исковые требования поддерживает в "
     "полном объёме, однако явиться не может в связи со служебной командировкой.",
     "рассмотреть дело в отсутствие истца; исковые требования поддерживаю в полном объёме."),
)


def _motion(rng: random.Random, d: Dispute, style: str, parts: Parts) -> tuple[str, str]:
    arbitrazh = d.b2b
    when = d.event_date + timedelta(days=rng.randint(90, 400))
    court = f"В {d.city.arbitrazh}" if arbitrazh else _court_general(rng, d.city, d.amount)[0]
    case = _case_no(rng, d.city, arbitrazh, when.year)
    subject, cites, why, ask = rng.choice(_MOTIONS)
    cite = cites[1] if arbitrazh else cites[0]
    applicant = d.plaintiff
    head = f"{court}\nДело {case}\nИстец: {d.plaintiff.name}\nОтветчик: {d.defendant.name}"
    title = f"ХОДАТАЙСТВО\n{subject}"
    intro = (f"В производстве суда находится дело {case} {d.subject} (истец — {d.plaintiff.short}, ответчик — "
             f"{d.defendant.short}).")
    law = (f"В соответствии со {cite} суд по ходатайству лица, участвующего в деле, вправе совершить указанное "
           f"процессуальное действие.")
    blocks = [head, title]
    body = [intro]
    if parts.reasoning:
        body.append(why + " " + law)
    blocks.append("\n".join(body) if rng.random() < 0.5 else "\n\n".join(body))
    if parts.demand:
        request = ask.format(org=f"ООО «Центр независимой экспертизы»", amount=_money(d.amount or 100_000),
                             date=fmt_date(when + timedelta(days=rng.randint(5, 30))))
        lead = rng.choice(("На основании изложенного, прошу ", "Прошу ",
                           f"На основании изложенного, руководствуясь {cite}, прошу "))
        if not parts.citations:
            lead = "Прошу "
        blocks.append(lead + request)
    blocks.append(f"{fmt_date(when)}\t\t{applicant.signer or '________ /представитель/'}")
    text = "\n\n".join(blocks)
    if len(text) < 900:  # short motions carry the party details, as filed ones usually do
        text = text.replace(f"Истец: {d.plaintiff.name}", f"Истец: {d.plaintiff.name}\n{d.plaintiff.details}", 1)
    if len(text) < 900:
        text = text.replace(f"Ответчик: {d.defendant.name}", f"Ответчик: {d.defendant.name}\n{d.defendant.details}", 1)
    if len(text) < 900:
        text = text.replace("\n\nПрошу ", "\n\nКопия настоящего ходатайства направлена другим лицам, участвующим в "
                            "деле, что подтверждается почтовой квитанцией.\n\nПрошу ", 1)
        text = text.replace("\n\nНа основании изложенного", "\n\nКопия ходатайства направлена другим лицам, "
                            "участвующим в деле, что подтверждается почтовой квитанцией."
                            "\n\nНа основании изложенного", 1)
    if len(text) > 1500:
        text = text.replace("\n" + d.plaintiff.details, "", 1)
    instruction = rng.choice((f"Составь ходатайство {subject}.", "Подготовь ходатайство в суд по делу.",
                              f"Напиши короткое ходатайство {subject}."))
    return text, instruction


def _court_order(rng: random.Random, d: Dispute, style: str, parts: Parts) -> tuple[str, str]:
    arbitrazh = d.b2b
    when = d.event_date + timedelta(days=rng.randint(60, 400))
    if arbitrazh:
        court = f"В {d.city.arbitrazh}"
        title = "ЗАЯВЛЕНИЕ\nо выдаче судебного приказа"
        basis = "руководствуясь ст. 229.1, 229.2, 229.3 АПК РФ"
        law = ("Согласно п. 1 ч. 1 ст. 229.2 АПК РФ судебный приказ выдаётся по делам, в которых требования вытекают "
               "из неисполнения или ненадлежащего исполнения договора и основаны на представленных взыскателем "
               "документах, устанавливающих денежные обязательства, которые должником признаются, но не исполняются, "
               "если цена заявленных требований не превышает семисот пятидесяти тысяч рублей.")
    else:
        n = rng.randint(1, 140)
        district = rng.choice(d.city.districts)
        court = f"Мировому судье судебного участка № {n} {genitive(district)} судебного района {d.city.genitive}"
        title = "ЗАЯВЛЕНИЕ\nо вынесении судебного приказа"
        basis = "руководствуясь ст. 121–124 ГПК РФ"
        if d.kind == "alimony":
            law = ("В соответствии с абз. 5 ст. 122 ГПК РФ судебный приказ выдаётся, если заявлено требование о "
                   "взыскании алиментов на несовершеннолетних детей, не связанное с установлением отцовства, "
                   "оспариванием отцовства (материнства) или необходимостью привлечения других заинтересованных лиц.")
        elif d.kind == "labour":
            law = ("Согласно абз. 7 ст. 122 ГПК РФ судебный приказ выдаётся, если заявлено требование о взыскании "
                   "начисленных, но не выплаченных работнику заработной платы и сумм, причитающихся при увольнении.")
        else:
            law = ("Согласно абз. 3 ст. 122 ГПК РФ судебный приказ выдаётся, если требование основано на сделке, "
                   "совершённой в простой письменной форме, а размер денежных сумм не превышает пятисот тысяч рублей.")
    head = [court, _party_block("Взыскатель", d.plaintiff, True), _party_block("Должник", d.defendant, True)]
    facts = list(d.facts[:3])
    grounds = [law] + d.grounds[:1]
    body = _body(rng, d, style, parts, 1200 + rng.randint(0, 1800), d.calculation and ["\n".join(d.calculation)] or [],
                 facts, grounds)
    blocks = head + [title] + body
    if parts.demand:
        what = d.claims[0].replace("Взыскать с", "о взыскании с", 1)
        items = [f"Вынести судебный приказ {what}" if not arbitrazh else f"Выдать судебный приказ {what}"]
        if d.kind != "alimony":
            items.append("Взыскать с должника в пользу взыскателя расходы по уплате государственной пошлины.")
        verb = "ПРОШУ" if style != "filing" else "прошу"
        blocks.append(_demand(style, verb, items, basis, rng.random() < 0.7))
    blocks.append(_attachments(d.evidence[:4] + ["документ об уплате государственной пошлины"]))
    blocks.append(_signature(rng, d, d.plaintiff, when))
    instruction = rng.choice(("Составь заявление о вынесении судебного приказа.",
                              "Подготовь заявление на судебный приказ по этим фактам.",
                              "Напиши заявление о выдаче судебного приказа."))
    return "\n\n".join(blocks), instruction


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", " ") + " руб."


def _draft(rng: random.Random, d: Dispute, doc_type: str) -> str:
    """The local model's short first draft, which the cloud model then polished."""
    titles = {"claim": "Исковое заявление", "arbitration_claim": "Исковое заявление", "pretension": "Претензия",
              "appeal": "Апелляционная жалоба", "response": "Отзыв на иск", "motion": "Ходатайство",
              "court_order": "Заявление о вынесении судебного приказа"}
    first = d.facts[0]
    ask = d.claims[0] if doc_type != "response" else "В иске отказать."
    return f"{titles[doc_type]} {d.subject}.\n{first}\n{ask}"


_RENDERERS = {
    "claim": _claim,
    "arbitration_claim": _arbitration_claim,
    "pretension": _pretension,
    "appeal": _appeal,
    "response": _response,
    "motion": _motion,
    "court_order": _court_order,
}
