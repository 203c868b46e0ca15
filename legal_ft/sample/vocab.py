"""Word stock for the sample corpus: people, organisations, cities and their courts, goods, amounts, dates.

Everything here is fictitious but shaped like the real thing (ФИО in the right cases, ИНН/ОГРН with valid check
digits, court names as they are written on filings), so that rules see realistic text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

MALE_SURNAMES = (
    "Иванов", "Петров", "Смирнов", "Кузнецов", "Соколов", "Попов", "Лебедев", "Козлов", "Новиков", "Морозов",
    "Волков", "Алексеев", "Семёнов", "Егоров", "Павлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров",
    "Захаров", "Зайцев", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Фролов", "Гусев",
    "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев",
)
MALE_NAMES = (
    ("Александр", "Александрович", "Александровна"), ("Алексей", "Алексеевич", "Алексеевна"),
    ("Андрей", "Андреевич", "Андреевна"), ("Дмитрий", "Дмитриевич", "Дмитриевна"),
    ("Сергей", "Сергеевич", "Сергеевна"), ("Иван", "Иванович", "Ивановна"),
    ("Михаил", "Михайлович", "Михайловна"), ("Николай", "Николаевич", "Николаевна"),
    ("Владимир", "Владимирович", "Владимировна"), ("Павел", "Павлович", "Павловна"),
    ("Олег", "Олегович", "Олеговна"), ("Игорь", "Игоревич", "Игоревна"), ("Юрий", "Юрьевич", "Юрьевна"),
    ("Виктор", "Викторович", "Викторовна"), ("Евгений", "Евгеньевич", "Евгеньевна"),
    ("Артём", "Артёмович", "Артёмовна"), ("Максим", "Максимович", "Максимовна"),
    ("Роман", "Романович", "Романовна"), ("Константин", "Константинович", "Константиновна"),
)
FEMALE_NAMES = (
    "Анна", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Мария", "Екатерина", "Юлия",
    "Марина", "Людмила", "Галина", "Надежда", "Виктория", "Ксения", "Дарья", "Алина",
)
STREETS = (
    "ул. Ленина", "ул. Советская", "пр-т Мира", "ул. Гагарина", "ул. Пушкина", "ул. Садовая", "ул. Лесная",
    "ул. Молодёжная", "ул. Школьная", "ул. Кирова", "ул. Чехова", "пр-т Победы", "ул. Заводская",
    "ул. Комсомольская", "ул. Набережная", "ул. Октябрьская", "ул. Строителей", "ул. Горького",
)
ORG_NAMES = (
    "Ромашка", "Вектор", "СтройИнвест", "ТехноМир", "Альфа-Логистик", "Северный ветер", "ПромСнаб", "Уралсталь-Трейд",
    "Гранит", "МедиаЛайн", "АвтоПартнёр", "Золотой колос", "Континент", "ЭнергоРесурс", "Дельта Софт", "Меридиан",
    "Прогресс", "Торговый дом «Восток»", "Агрокомплекс", "ЖилСервис", "Спектр", "БалтСтрой", "Инфотех", "Кристалл",
    "Сибирская нива", "Фаворит", "Оптима", "Новые технологии", "РусМеталл", "Домострой",
)
INSURERS = ('АО «СОГАЗ»', 'ПАО СК «Росгосстрах»', 'САО «ВСК»', 'СПАО «Ингосстрах»', 'АО «АльфаСтрахование»',
            'САО «РЕСО-Гарантия»', 'ООО СК «Согласие»')

# name, genitive ("г. Москвы"), arbitrazh court, regional court, district names, arbitrazh appeal court
_CITIES = (
    ("Москва", "г. Москвы", "Арбитражный суд г. Москвы", "Московский городской суд",
     ("Тверской", "Мещанский", "Пресненский", "Басманный", "Хамовнический", "Зюзинский"),
     "Девятый арбитражный апелляционный суд", "А40"),
    ("Санкт-Петербург", "г. Санкт-Петербурга", "Арбитражный суд г. Санкт-Петербурга и Ленинградской области",
     "Санкт-Петербургский городской суд", ("Калининский", "Невский", "Приморский", "Фрунзенский", "Выборгский"),
     "Тринадцатый арбитражный апелляционный суд", "А56"),
    ("Екатеринбург", "г. Екатеринбурга", "Арбитражный суд Свердловской области", "Свердловский областной суд",
     ("Ленинский", "Кировский", "Октябрьский", "Верх-Исетский", "Железнодорожный"),
     "Семнадцатый арбитражный апелляционный суд", "А60"),
    ("Новосибирск", "г. Новосибирска", "Арбитражный суд Новосибирской области", "Новосибирский областной суд",
     ("Центральный", "Заельцовский", "Октябрьский", "Ленинский", "Советский"),
     "Седьмой арбитражный апелляционный суд", "А45"),
    ("Казань", "г. Казани", "Арбитражный суд Республики Татарстан", "Верховный Суд Республики Татарстан",
     ("Вахитовский", "Приволжский", "Советский", "Московский", "Ново-Савиновский"),
     "Одиннадцатый арбитражный апелляционный суд", "А65"),
    ("Ростов-на-Дону", "г. Ростова-на-Дону", "Арбитражный суд Ростовской области", "Ростовский областной суд",
     ("Кировский", "Ленинский", "Октябрьский", "Пролетарский", "Советский"),
     "Пятнадцатый арбитражный апелляционный суд", "А53"),
    ("Краснодар", "г. Краснодара", "Арбитражный суд Краснодарского края", "Краснодарский краевой суд",
     ("Прикубанский", "Ленинский", "Советский", "Первомайский", "Октябрьский"),
     "Пятнадцатый арбитражный апелляционный суд", "А32"),
    ("Нижний Новгород", "г. Нижнего Новгорода", "Арбитражный суд Нижегородской области",
     "Нижегородский областной суд", ("Нижегородский", "Советский", "Канавинский", "Автозаводский"),
     "Первый арбитражный апелляционный суд", "А43"),
    ("Самара", "г. Самары", "Арбитражный суд Самарской области", "Самарский областной суд",
     ("Ленинский", "Октябрьский", "Промышленный", "Кировский"), "Одиннадцатый арбитражный апелляционный суд", "А55"),
    ("Воронеж", "г. Воронежа", "Арбитражный суд Воронежской области", "Воронежский областной суд",
     ("Центральный", "Ленинский", "Коминтерновский", "Советский"),
     "Девятнадцатый арбитражный апелляционный суд", "А14"),
    ("Пермь", "г. Перми", "Арбитражный суд Пермского края", "Пермский краевой суд",
     ("Ленинский", "Свердловский", "Индустриальный", "Мотовилихинский"),
     "Семнадцатый арбитражный апелляционный суд", "А50"),
    ("Уфа", "г. Уфы", "Арбитражный суд Республики Башкортостан", "Верховный Суд Республики Башкортостан",
     ("Кировский", "Советский", "Октябрьский", "Калининский"), "Восемнадцатый арбитражный апелляционный суд", "А07"),
    ("Челябинск", "г. Челябинска", "Арбитражный суд Челябинской области", "Челябинский областной суд",
     ("Центральный", "Курчатовский", "Калининский", "Тракторозаводский"),
     "Восемнадцатый арбитражный апелляционный суд", "А76"),
    ("Тюмень", "г. Тюмени", "Арбитражный суд Тюменской области", "Тюменский областной суд",
     ("Центральный", "Ленинский", "Калининский"), "Восьмой арбитражный апелляционный суд", "А70"),
    ("Омск", "г. Омска", "Арбитражный суд Омской области", "Омский областной суд",
     ("Центральный", "Кировский", "Советский", "Октябрьский"), "Восьмой арбитражный апелляционный суд", "А46"),
)

MONTHS_GEN = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря")


@dataclass(frozen=True, slots=True)
class City:
    name: str
    genitive: str
    arbitrazh: str
    regional: str
    districts: tuple[str, ...]
    arbitrazh_appeal: str
    arbitrazh_code: str


CITIES = tuple(City(*c) for c in _CITIES)


@dataclass(frozen=True, slots=True)
class Party:
    """A side of a dispute: a person or an organisation, with the forms a document needs."""

    name: str  # full: «Иванов Иван Иванович» / «ООО «Ромашка»»
    short: str  # «Иванов И.И.» / «ООО «Ромашка»»
    details: str  # address and identifiers, one line
    is_org: bool
    signer: str  # who signs: «/И.И. Иванов/»


def _check_digit(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights)) % 11 % 10)


def org_inn(rng: random.Random, region: str = "77") -> str:
    body = f"{region}{rng.randrange(10**7):07d}"
    return body + _check_digit(body, (2, 4, 10, 3, 5, 9, 4, 6, 8))


def person_inn(rng: random.Random, region: str = "77") -> str:
    body = f"{region}{rng.randrange(10**8):08d}"
    c1 = _check_digit(body, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
    c2 = _check_digit(body + c1, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
    return body + c1 + c2


def ogrn(rng: random.Random, region: str = "77") -> str:
    body = f"1{rng.randint(2, 23):02d}{region}{rng.randrange(10**7):07d}"
    return body + str(int(body) % 11 % 10)


def address(rng: random.Random, city: City) -> str:
    return f"г. {city.name}, {rng.choice(STREETS)}, д. {rng.randint(1, 120)}, кв. {rng.randint(1, 300)}"


def office_address(rng: random.Random, city: City) -> str:
    return f"г. {city.name}, {rng.choice(STREETS)}, д. {rng.randint(1, 120)}, офис {rng.randint(1, 40)}"


def person(rng: random.Random, city: City) -> Party:
    surname = rng.choice(MALE_SURNAMES)
    first, patronymic_m, patronymic_f = rng.choice(MALE_NAMES)
    if rng.random() < 0.45:
        name = rng.choice(FEMALE_NAMES)
        surname = surname + "а"
        patronymic = patronymic_f
        first = name
    else:
        patronymic = patronymic_m
    full = f"{surname} {first} {patronymic}"
    short = f"{surname} {first[0]}.{patronymic[0]}."
    born = f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1955, 2001)}"
    phone = f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    details = f"{born} г.р., зарегистрирован(а) по адресу: {address(rng, city)}, тел. {phone}"
    return Party(full, short, details, False, f"/{first[0]}.{patronymic[0]}. {surname}/")


def organisation(rng: random.Random, city: City, form: str | None = None, other: Party | None = None) -> Party:
    """A company; ``other``: the other side of the dispute, whose name this one must not repeat (a company that
    sues itself is a defect, LF111). The next name in the list is taken without drawing again, so the random
    stream — and every record after this one — stays the same."""
    form = form or rng.choice(("ООО", "ООО", "ООО", "АО", "ПАО"))
    title = rng.choice(ORG_NAMES)

    def named(t: str) -> str:
        return f"{form} «{t}»" if "«" not in t else f"{form} {t}"

    name = named(title)
    while other is not None and name == other.name:
        title = ORG_NAMES[(ORG_NAMES.index(title) + 1) % len(ORG_NAMES)]
        name = named(title)
    region = f"{rng.randint(1, 99):02d}"
    details = f"ИНН {org_inn(rng, region)}, ОГРН {ogrn(rng, region)}, адрес: {office_address(rng, city)}"
    director = rng.choice(MALE_SURNAMES)
    first, patronymic, _ = rng.choice(MALE_NAMES)
    return Party(name, name, details, True, f"Генеральный директор ________ /{first[0]}.{patronymic[0]}. {director}/")


def insurer(rng: random.Random, city: City) -> Party:
    name = rng.choice(INSURERS)
    region = f"{rng.randint(1, 99):02d}"
    details = f"ИНН {org_inn(rng, region)}, ОГРН {ogrn(rng, region)}, филиал: {office_address(rng, city)}"
    return Party(name, name, details, True, "")


def money(amount: int, kopecks: int | None = None, style: int = 0) -> str:
    """Russian money formats: «150 000 руб.», «150 000,00 рублей», «150 000 (руб.) 00 коп.»."""
    whole = f"{amount:,}".replace(",", "\u00a0" if style == 3 else " ")
    if style == 1:
        return f"{whole},{kopecks or 0:02d} руб."
    if style == 2:
        return f"{whole} рублей {kopecks or 0:02d} копеек"
    return f"{whole} руб."


def random_date(rng: random.Random, start: date, span_days: int) -> date:
    return start + timedelta(days=rng.randint(0, max(span_days, 0)))


def fmt_date(d: date, long: bool = False) -> str:
    if long:
        return f"«{d.day:02d}» {MONTHS_GEN[d.month - 1]} {d.year} г."
    return f"{d.day:02d}.{d.month:02d}.{d.year}"


def tidy(text: str) -> str:
    """«руб.» at the end of a sentence takes no second full stop."""
    return text.replace("руб..", "руб.").replace("коп..", "коп.")
