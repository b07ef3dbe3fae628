"""Vocabulary of the specimen releases: text templates, names, places and clients.

Everything here is invented for the synthetic specimen. Texts are assembled from
*slots* (each a tuple of phrases, one picked per tweet; ``""`` leaves the slot empty);
``{n}`` inside a phrase becomes a number. Persona names, outlets, blogs and domains
are fictional. Public figures appear only as topics of conversation, never as personas.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---------------------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A family of expanded URLs.

    kind: ``site`` (``https://<name>/<path>/<n>-<slug>``), ``sitenum``
    (``https://<name>/<path>/<n>``), ``lj`` (``https://<name>.livejournal.com/<n>.html``),
    ``medium`` (``https://medium.com/@<name>/<slug>-<hex>``) or ``youtube``.
    """

    kind: str
    names: tuple[str, ...] = ()
    paths: tuple[str, ...] = ("news",)
    weight: float = 1.0


@dataclass(frozen=True)
class Topic:
    """How to write tweets about one subject in one language."""

    lang: str
    slots: tuple[tuple[str, ...], ...]
    tags: tuple[str, ...] = ()
    #: probabilities of appending 0, 1, 2 or 3 hashtags from ``tags``
    n_tags: tuple[float, float, float, float] = (0.55, 0.25, 0.12, 0.08)
    links: tuple[Link, ...] = ()
    link_prob: float = 0.0
    media_prob: float = 0.08
    newline_prob: float = 0.25
    num: tuple[int, int] = (2, 150)
    #: share of replies that are a short phrase rather than a full text
    reply_phrase_prob: float = 0.5
    #: words for URL slugs (ASCII)
    slug: tuple[str, ...] = ()
    #: a client that always posts this topic (e.g. a horoscope app)
    client: str | None = None


SLUG_EN = (
    "report", "analysis", "new", "crisis", "west", "sanctions", "war", "peace", "truth",
    "media", "policy", "region", "security", "people", "future", "talks", "strike", "aid",
    "border", "economy", "protest", "election", "vote", "alliance", "exercise", "oil",
)
SLUG_ES = (
    "iran", "eeuu", "sanciones", "palestina", "venezuela", "yemen", "resistencia", "gaza",
    "analisis", "crisis", "bloqueo", "ayuda", "ataque", "denuncia", "cancilleria", "pueblo",
)
SLUG_FR = ("iran", "sanctions", "palestine", "yemen", "analyse", "crise", "occident", "gaza")
SLUG_ID = ("palestina", "gaza", "alaqsa", "israel", "umat", "bantuan", "boikot", "dunia")
SLUG_RU = ("siriya", "rossiya", "ssha", "turciya", "idlib", "novosti", "zapad", "pravda")
SLUG_DE = ("eu", "deutschland", "energie", "nato", "bruessel", "krise", "bauern", "preise")

YOUTUBE = Link("youtube")

# ---------------------------------------------------------------------------------------
# Iran (iran_202012)
# ---------------------------------------------------------------------------------------

IRAN_BROADCASTER_DOMAIN = "www.alborznoticias24.com"

IRAN_ES_NEWS = Topic(
    lang="es",
    slots=(
        ("", "", "", "", "ÚLTIMA HORA |", "#Urgente |", "Análisis |", "Opinión |", "En vivo |",
         "Irán |", "Atención:", "🔴"),
        ("El canciller iraní", "El portavoz de la Cancillería de Irán", "Teherán",
         "El presidente del Parlamento iraní", "La Resistencia palestina",
         "El movimiento Ansarolá", "El Gobierno venezolano", "La diplomacia rusa",
         "Un experto en geopolítica", "La ONU", "El Pentágono", "El régimen de Israel",
         "Una multitudinaria marcha", "La Guardia Revolucionaria", "El pueblo de Gaza",
         "Un informe independiente", "El embajador iraní en Caracas", "La Casa Blanca"),
        ("denuncia las sanciones unilaterales de EE.UU. contra {n} empresas iraníes",
         "condena el ataque israelí que dejó {n} heridos en Gaza",
         "rechaza las acusaciones infundadas de Washington",
         "advierte sobre las consecuencias del bloqueo económico",
         "pide el fin inmediato de la ocupación de Palestina",
         "afirma que la resistencia no se rendirá",
         "reporta {n} civiles muertos tras bombardeos saudíes en Yemen",
         "exige la retirada de las tropas estadounidenses de Siria",
         "envía {n} toneladas de ayuda humanitaria a Venezuela",
         "critica el silencio de Occidente ante los crímenes en Yemen",
         "destaca la cooperación entre Irán y América Latina",
         'califica de "terrorismo económico" la política de Washington',
         "inaugura una central eléctrica de {n} megavatios",
         "recuerda a los mártires de la defensa sagrada",
         "acusa a la prensa occidental de ocultar la verdad",
         "firma {n} acuerdos de cooperación con Bolivia y Cuba"),
        ("", "", "", "", "#PalestinaLibre", "(+Video)", "📹", "#Irán", "🔴", "| Opinión"),
    ),
    tags=("Irán", "PalestinaLibre", "EEUU", "Venezuela", "Yemen", "Siria", "Palestina",
          "Sanciones", "Gaza", "AlQuds", "Bolivia", "Cuba", "Israel", "Resistencia"),
    links=(Link("site", (IRAN_BROADCASTER_DOMAIN,),
                ("noticias/iran", "noticias/palestina", "noticias/latinoamerica",
                 "noticias/asia-oceania", "programas/analisis"), 0.85),
           Link("youtube", weight=0.15)),
    link_prob=0.78,
    media_prob=0.18,
    newline_prob=0.3,
    slug=SLUG_ES,
)

IRAN_EN_NEWS = Topic(
    lang="en",
    slots=(
        ("", "", "", "BREAKING:", "WATCH:", "Op-ed:", "Exclusive:", "Update:", "🔴"),
        ("Iran's foreign minister", "Tehran", "The Leader of the Islamic Revolution",
         "Palestine's resistance movement", "Yemen's Ansarullah movement", "Hezbollah",
         "A UN rapporteur", "Washington", "The Zionist regime", "A rally in London",
         "An Iranian diplomat", "An independent analyst", "Venezuela's foreign ministry",
         "Iraq's parliament", "A student union in Tehran"),
        ("slams illegal US sanctions on {n} Iranian firms",
         "condemns the Israeli strike that wounded {n} people in Gaza",
         "says maximum pressure has failed",
         "warns Washington against new adventurism in the Persian Gulf",
         "calls for an end to the occupation of Palestine",
         "vows to stand with the oppressed people of Yemen",
         "reports {n} civilians killed in Saudi-led airstrikes",
         "demands the withdrawal of US troops from Iraq and Syria",
         "praises the resilience of the Iranian nation",
         'calls the sanctions "economic terrorism"',
         "exposes the hypocrisy of Western media &amp; politicians",
         "says the resistance front is stronger than ever",
         "ships {n} tonnes of medical aid to Caracas",
         "rejects baseless claims about Iran's missile program",
         "marks {n} years since the victory of the revolution"),
        ("", "", "", "", "#Iran", "👇", "(VIDEO)", "#Palestine", "| Opinion"),
    ),
    tags=("Iran", "Palestine", "Yemen", "Syria", "Gaza", "USA", "Sanctions", "Resistance",
          "Hezbollah", "Iraq", "FreePalestine", "Quds"),
    links=(Link("site", ("www.persiandawnpress.com",),
                ("news/iran", "news/middle-east", "news/world", "opinion"), 0.6),
           Link("site", ("www.gulfvoiceonline.net",), ("politics", "region"), 0.25),
           Link("youtube", weight=0.15)),
    link_prob=0.55,
    slug=SLUG_EN,
)

IRAN_FA_NEWS = Topic(
    lang="fa",
    slots=(
        ("", "", "", "فوری |", "ویدیو |", "گزارش |", "یادداشت |", "🔴"),
        ("وزیر امور خارجه", "سخنگوی دولت", "رهبر انقلاب", "مقاومت فلسطین", "سخنگوی انصارالله",
         "رئیس مجلس", "سپاه پاسداران", "یک کارشناس اقتصادی", "دولت آمریکا",
         "رژیم صهیونیستی", "یک فعال دانشجویی", "فرمانده نیروی دریایی"),
        ("تحریم‌های غیرقانونی آمریکا را محکوم کرد", "بر ادامه راه مقاومت تاکید کرد",
         "از افتتاح {n} طرح ملی خبر داد", "گفت فشار حداکثری شکست خورده است",
         "به جنایات ائتلاف سعودی در یمن اعتراض کرد",
         "خواستار خروج نیروهای آمریکایی از منطقه شد",
         "از پیشرفت‌های علمی کشور قدردانی کرد", "{n} تن کمک پزشکی ارسال کرد",
         "گفت آینده از آن ملت‌های مستقل است", "به سالگرد پیروزی انقلاب اشاره کرد",
         "«تروریسم اقتصادی» آمریکا را محکوم کرد"),
        ("", "", "", "#ایران", "👇", "#فلسطین"),
    ),
    tags=("ایران", "فلسطین", "یمن", "مقاومت", "آمریکا", "تحریم", "قدس", "سوریه", "عراق", "غزه"),
    links=(Link("sitenum", ("www.khabarpars24.ir",), ("news", "politics", "world")),),
    link_prob=0.45,
)

IRAN_FR_NEWS = Topic(
    lang="fr",
    slots=(
        ("", "", "", "URGENT |", "VIDÉO |", "Analyse |", "Tribune |", "🔴"),
        ("Le ministre iranien des Affaires étrangères", "Téhéran",
         "La résistance palestinienne", "Le mouvement Ansarallah", "Le Hezbollah",
         "Washington", "Le régime israélien", "Un rapport de l'ONU",
         "Un rassemblement à Paris", "Un diplomate iranien", "Un expert indépendant",
         "Le peuple yéménite"),
        ("dénonce les sanctions illégales contre {n} entreprises iraniennes",
         "condamne la frappe israélienne qui a fait {n} blessés à Gaza",
         "affirme que la pression maximale a échoué",
         "appelle à la fin de l'occupation de la Palestine",
         "rejette les accusations sans fondement de Washington",
         "exige le retrait des troupes américaines de Syrie",
         "dénonce le silence de l'Occident sur le Yémen",
         "salue la résistance du peuple iranien",
         'qualifie les sanctions de "terrorisme économique"',
         "révèle l'hypocrisie des médias occidentaux"),
        ("", "", "", "#Iran", "👇", "#Palestine", "| Tribune"),
    ),
    tags=("Iran", "Palestine", "Yémen", "Syrie", "Gaza", "USA", "Sanctions", "Liban",
          "Résistance", "Qods"),
    links=(Link("site", ("www.echosdeperse.info",),
                ("actualite", "monde", "moyen-orient", "opinion")),),
    link_prob=0.5,
    slug=SLUG_FR,
)

IRAN_AR_NEWS = Topic(
    lang="ar",
    slots=(
        ("", "", "", "عاجل |", "فيديو |", "تقرير |", "🔴"),
        ("وزير الخارجية الإيراني", "البرلمان الإيراني", "المتحدث باسم المقاومة الفلسطينية",
         "المكتب السياسي لحركة أنصار الله", "حزب الله", "البيت الأبيض", "الكيان الصهيوني",
         "مجلس الأمن", "حشد من المتظاهرين في بغداد", "محلل سياسي", "الشعب اليمني"),
        ("يدين العقوبات الأمريكية الجائرة على {n} شركة", "يؤكد أن المقاومة ستنتصر",
         "يطالب بانسحاب القوات الأمريكية من المنطقة", "يندد بالعدوان على اليمن",
         "يحذر من عواقب الحصار الاقتصادي", "يكشف عن {n} ضحية مدنية في غارات جديدة",
         "يدعو إلى إنهاء احتلال فلسطين", "يرفض الاتهامات الأمريكية الباطلة",
         "يشيد بصمود الشعب الإيراني", "يعلن إرسال {n} طن من المساعدات الطبية"),
        ("", "", "", "#فلسطين", "👇", "#القدس"),
    ),
    tags=("فلسطين", "القدس", "اليمن", "إيران", "المقاومة", "غزة", "سوريا", "العراق", "لبنان"),
    links=(Link("sitenum", ("www.sawtalmihwar.net",), ("news", "politics", "arab-world")),),
    link_prob=0.45,
)

IRAN_ID_PALESTINE = Topic(
    lang="id",
    slots=(
        ("", "", "", "Saudaraku,", "Ingat!", "Lihat ini:", "Berita:", "🇵🇸"),
        ("Rakyat Palestina", "Anak-anak Gaza", "Masjid Al-Aqsa", "Pemuda Indonesia",
         "Umat Islam sedunia", "Zionis Israel", "Para ulama", "Dunia internasional",
         "Pejuang Palestina", "Warga Tepi Barat"),
        ("terus berjuang melawan penjajahan", "membutuhkan doa dan dukungan kita",
         "diserang lagi, {n} orang terluka", "tidak boleh dilupakan",
         "menolak normalisasi dengan penjajah", "harus bersatu membela Al-Quds",
         "menjadi korban blokade selama {n} hari", "menyerukan boikot produk Israel",
         "kehilangan {n} rumah akibat penggusuran",
         "menunggu keadilan yang tak kunjung datang"),
        ("", "", "", "#SavePalestine", "Aamiin 🤲", "Sebarkan!", "🇵🇸🇵🇸", "#BelaPalestina"),
    ),
    tags=("Palestina", "SavePalestine", "BelaPalestina", "AlAqsa", "Gaza", "FreePalestine",
          "BoikotIsrael", "Quds", "IndonesiaBersamaPalestina"),
    links=(Link("site", ("www.kabarumatdunia.id",), ("internasional", "timur-tengah", "opini"),
                0.7), Link("youtube", weight=0.3)),
    link_prob=0.3,
    slug=SLUG_ID,
)

IRAN_US_RIGHT = Topic(
    lang="en",
    slots=(
        ("", "", "", "Wake up America!", "BREAKING:", "Truth:", "🇺🇸", "Reminder:"),
        ("The radical left", "The fake news media", "Sleepy Joe's campaign", "Big Tech",
         "Our President", "Antifa rioters", "The deep state", "Patriots across the country",
         "Democrat mayors", "The swamp", "Hollywood elites", "Real Americans"),
        ("will never stop attacking our freedoms", "lied to you again",
         "just got exposed for the {n}th time", "would defund the police tomorrow",
         "can't handle the truth", "will never silence the silent majority",
         "just censored conservatives again", "will be held accountable",
         "won't stop this movement", "stood strong for law and order",
         "let {n} cities burn this summer", "won't tell you what really happened"),
        ("", "", "", "#MAGA", "#KAG", "🇺🇸🇺🇸", "WWG1WGA", "Retweet if you agree!"),
    ),
    tags=("MAGA", "KAG", "AmericaFirst", "BackTheBlue", "FourMoreYears", "WalkAway",
          "LawAndOrder", "DrainTheSwamp", "Patriots"),
    links=(Link("site", ("www.patriotpulsedaily.com",), ("politics", "news")), YOUTUBE),
    link_prob=0.2,
    slug=SLUG_EN,
)

IRAN_US_LEFT = Topic(
    lang="en",
    slots=(
        ("", "", "", "Reminder:", "Thread:", "🌊", "Unreal.", "Friendly reminder:"),
        ("Trump", "This administration", "Republican senators", "The GOP",
         "Women across America", "Nurses and teachers", "Voters in swing states",
         "The Trump family", "Right-wing talk radio", "Moscow's favorite president"),
        ("failed {n} million Americans", "lied to the American people again",
         "blocked relief for working families", "will be on the ballot in November",
         "can't survive four more years of this", "will fight back and win",
         "got caught lying again", "can't hide the tax returns forever",
         "attacked healthcare for {n} million people", "won't be silenced"),
        ("", "", "", "#BlueWave", "#VoteBlue", "🌊🌊", "#Resist", "Vote them out!", "#FBR"),
    ),
    tags=("BlueWave", "VoteBlue", "Resist", "FBR", "VoteBlueToSaveAmerica", "VoteThemOut",
          "Resistance", "Democrats"),
    links=(Link("site", ("www.bluetidejournal.com",), ("politics", "opinion")), YOUTUBE),
    link_prob=0.2,
    slug=SLUG_EN,
)

IRAN_DEBATE_RIGHT = Topic(
    lang="en",
    slots=(
        ("", "", "Wow.", "LOL", "Watching the debate:", "Right now:", "🔥"),
        ("Trump", "Our President", "The President", "POTUS"),
        ("is destroying Biden tonight", "just crushed it on law and order",
         "is owning the stage", "nailed it on the economy", "is exposing Biden's record",
         "is winning this debate by a mile", "just made Biden look lost",
         "is speaking for the silent majority", "has Biden on the ropes"),
        ("", "", "", "🇺🇸", "Four more years!", "Easy win.", "😂😂"),
    ),
    tags=("MAGA", "FourMoreYears", "KAG", "LawAndOrder"),
    n_tags=(0.5, 0.35, 0.15, 0.0),
    reply_phrase_prob=0.3,
)

IRAN_DEBATE_LEFT = Topic(
    lang="en",
    slots=(
        ("", "", "Wow.", "Unreal.", "Watching the debate:", "Right now:", "🙄",
         "Trump can't stop interrupting.", "Trump just lied again."),
        ("Biden", "Joe", "Joe Biden", "Our next president"),
        ("looked presidential", "kept his cool", "made the case for healthcare",
         "spoke to every worried family tonight", "is winning this debate",
         "just fact-checked Trump in real time", "showed real empathy",
         "called out {n} lies in one answer", "stayed calm while Trump melted down"),
        ("", "", "", "🌊", "Vote!", "Embarrassing.", "😤"),
    ),
    tags=("VoteBlue", "BlueWave", "Resist", "VoteHimOut"),
    n_tags=(0.5, 0.35, 0.15, 0.0),
    reply_phrase_prob=0.3,
)

FOLLOW_EN = Topic(
    lang="en",
    slots=(
        ("", "", "Hi!", "Hello friend,", "✅", "🔁"),
        ("I followed you,", "Followed you!", "Just followed you,", "I follow you now,",
         "New follower here,"),
        ("please follow back", "follow me back please", "plz follow back 🙏",
         "kindly follow back", "follow back and let's grow",
         "follow me and I follow back fast"),
        ("", "", "🙏", "😊", "💯", "#FollowBack", "#F4F", "#TeamFollowBack"),
    ),
    tags=("FollowBack", "F4F", "TeamFollowBack", "FollowTrain", "IFB", "Follow4Follow"),
    n_tags=(0.5, 0.3, 0.15, 0.05),
    newline_prob=0.1,
    reply_phrase_prob=0.0,
)

FOLLOW_ES = Topic(
    lang="es",
    slots=(
        ("", "", "¡Hola!", "Amigo,", "✅"),
        ("Ya te sigo,", "Te seguí,", "Te acabo de seguir,"),
        ("¿me sigues de vuelta?", "sígueme por favor", "sigue de vuelta 🙏",
         "sígueme y te sigo al instante"),
        ("", "", "🙏", "😊", "#SigoDeVuelta", "#SiguemeYTeSigo"),
    ),
    tags=("SigoDeVuelta", "SiguemeYTeSigo", "FollowBack"),
    n_tags=(0.6, 0.3, 0.1, 0.0),
    newline_prob=0.1,
    reply_phrase_prob=0.0,
)

# ---------------------------------------------------------------------------------------
# Russia: GRU_202012 and IRA_202012
# ---------------------------------------------------------------------------------------

GRU_BLOGS_LJ = ("levant-notes", "syria-fieldnotes", "east-frontier", "nato-watcher",
                "peace-first-blog", "baltic-doubts")
GRU_BLOGS_MEDIUM = ("antonlarsen", "europeanskeptic", "kjellnorden", "levantreporter")

GRU_SYRIA_EN = Topic(
    lang="en",
    slots=(
        ("", "", "", "#BREAKING:", "Local sources:", "Update:", "⚡️", "Photos:"),
        ("#Russian military police", "The #SAA", "#Turkish-backed militants",
         "US troops in #Syria", "The so-called #WhiteHelmets", "#HTS terrorists",
         "Residents of #DeirEzZor", "A convoy of {n} US trucks", "#SDF fighters",
         "#Syrian_army units", "Militants in #Idlib", "Local residents in #Raqqa"),
        ("showed up near the M4 highway", "staged another fake chemical attack video",
         "shelled civilian areas, {n} wounded", "smuggled stolen Syrian oil to Iraq",
         "delivered {n} tonnes of humanitarian aid", "rallied against the US occupation",
         "violated the ceasefire {n} times in 24 hours",
         "reopened the road between Aleppo and Latakia", "detained {n} young men in a raid",
         'got caught on camera preparing a "provocation"', "withdrew from positions near Ayn Issa",
         "received new weapons from Ankara"),
        ("", "", "", "#Syria", "#USAoutOfSyria", "#Turkey", "👇", "(photos)"),
    ),
    tags=("Syria", "Idlib", "Turkey", "US", "USAoutOfSyria", "WhiteHelmets", "SAA", "HTS",
          "SDF", "Russia", "Aleppo", "Raqqa"),
    links=(Link("lj", GRU_BLOGS_LJ[:3], weight=0.4), Link("medium", GRU_BLOGS_MEDIUM[3:], weight=0.2),
           Link("site", ("www.levantfrontline.info",), ("news", "syria"), 0.2),
           Link("youtube", weight=0.2)),
    link_prob=0.3,
    media_prob=0.35,
    newline_prob=0.3,
    slug=SLUG_EN,
)

GRU_SYRIA_RU = Topic(
    lang="ru",
    slots=(
        ("", "", "", "Срочно:", "Сирия:", "Видео:", "⚡️"),
        ("Российские военные", "Сирийские военные", "Протурецкие боевики",
         "Американские военные", "Так называемые «Белые каски»", "Террористы в Идлибе",
         "Жители Дейр-эз-Зора", "Американские конвои", "Курдские формирования",
         "Местные жители"),
        ("провели патрулирование трассы М4", "снова готовят постановку химатаки",
         "обстреляли жилые кварталы, ранены {n} человек", "вывозят сирийскую нефть в Ирак",
         "доставили {n} тонн гуманитарной помощи", "вышли на митинг против оккупации",
         "нарушили режим прекращения огня {n} раз за сутки",
         "восстанавливают дорогу Алеппо — Латакия", "получили новое оружие от Анкары"),
        ("", "", "", "#Сирия", "#Россия", "👇"),
    ),
    tags=("Сирия", "Россия", "Идлиб", "Турция", "США", "Алеппо", "БелыеКаски", "Пальмира"),
    links=(Link("lj", ("my-levant", "vostok-notes"), weight=0.6),
           Link("site", ("www.russkiy-levant.ru",), ("news",), 0.4)),
    link_prob=0.3,
    media_prob=0.3,
    newline_prob=0.3,
    slug=SLUG_RU,
)

GRU_SYRIA_AR = Topic(
    lang="ar",
    slots=(
        ("", "", "عاجل |", "مصادر محلية:", "بالصور |"),
        ("الشرطة العسكرية الروسية", "وحدات الجيش العربي السوري", "الفصائل المدعومة من تركيا",
         "قوات الاحتلال الأمريكي", "منظمة الخوذ البيضاء", "عصابات هيئة تحرير الشام",
         "قافلة من {n} شاحنة", "قوات سوريا الديمقراطية"),
        ("تسير دورية على الطريق الدولي M4", "تحضر لمسرحية كيماوية جديدة",
         "تقصف الأحياء السكنية وإصابة {n} مدنيين", "تسرق النفط السوري وتنقله إلى العراق",
         "توزع {n} طن من المساعدات الإنسانية", "تواجه غضبا شعبيا متزايدا",
         "تخرق وقف إطلاق النار {n} مرة", "تتلقى أسلحة جديدة من أنقرة"),
        ("", "", "#سوريا", "#إدلب", "👇"),
    ),
    tags=("سوريا", "إدلب", "دير_الزور", "الرقة", "حلب", "تركيا", "روسيا"),
    link_prob=0.1,
    links=(YOUTUBE,),
    media_prob=0.3,
)

GRU_NATO_EN = Topic(
    lang="en",
    slots=(
        ("", "", "", "Opinion:", "Question:", "Again?", "Think about it:", "New post:"),
        ("#NATO", "The #Defender2020 exercise", "The Alliance", "Brussels",
         "The US troop presence in Europe", "The eastern flank buildup", "The Pentagon",
         "Washington's plan for Europe", "The 2% spending target",
         "Military spending of {n} billion", "The new rotation of US brigades"),
        ("is dragging Europe into a new #ColdWar",
         "brings nothing but risk to ordinary Europeans", "is falling apart from within",
         "costs more than {n} hospitals", "cannot agree even on basic priorities",
         "is a threat to peace, not a guarantee", "will not make anyone safer",
         "is opposed by {n}% of respondents", "ignores the real problems of its members",
         "provokes Russia for no reason", "is tearing the alliance apart",
         "is a relic that should have been dissolved"),
        ("", "", "", "#NoDEF20", "#NoToNATO", "👇", "#StopDefender2020", "Think about it."),
    ),
    tags=("NATO", "Defender2020", "NoDEF20", "ColdWar", "OTAN", "USA", "Europe", "Peace",
          "NoToNATO", "Germany", "Baltic"),
    links=(Link("lj", GRU_BLOGS_LJ[3:], weight=0.45), Link("medium", GRU_BLOGS_MEDIUM[:3], weight=0.4),
           Link("youtube", weight=0.15)),
    link_prob=0.4,
    newline_prob=0.3,
    slug=SLUG_EN,
)

GRU_KARABAKH_EN = Topic(
    lang="en",
    slots=(
        ("", "", "#BREAKING:", "Sources:", "Confirmed:", "Local sources:"),
        ("Syrian mercenaries", "Hundreds of militants from #Idlib", "Fighters recruited by #Turkey",
         "Jihadists paid ${n} a month", "Former #HTS members", "Pro-Turkish groups"),
        ("are being sent to #Karabakh", "were transferred to #Azerbaijan via Gaziantep",
         "are fighting on the Karabakh front line", "were recruited with promises of ${n}",
         "arrived in Baku on cargo flights", "have suffered heavy losses near the front"),
        ("", "", "#Karabakh", "#Artsakh", "#Turkey", "#SyrianMercenaries"),
    ),
    tags=("Karabakh", "NagornoKarabakh", "Turkey", "Azerbaijan", "SyrianMercenaries", "Syria"),
    n_tags=(0.3, 0.4, 0.2, 0.1),
    links=(Link("lj", GRU_BLOGS_LJ[:3]),),
    link_prob=0.2,
    slug=SLUG_EN,
    num=(1000, 2500),
)

GRU_KARABAKH_RU = Topic(
    lang="ru",
    slots=(
        ("", "", "Срочно:", "Источники:", "Подтверждено:"),
        ("Сирийские наемники", "Сотни боевиков из Идлиба", "Завербованные Турцией боевики",
         "Бывшие члены ХТШ", "Протурецкие группировки"),
        ("направляются в Карабах", "переброшены в Азербайджан через Газиантеп",
         "воюют на линии фронта в Карабахе", "получают по {n} долларов в месяц",
         "несут тяжелые потери"),
        ("", "", "#Карабах", "#Турция", "#наемники"),
    ),
    tags=("Карабах", "Турция", "Азербайджан", "наемники", "Сирия"),
    num=(1000, 2500),
    slug=SLUG_RU,
)

GRU_MISC_RU = Topic(
    lang="ru",
    slots=(
        ("", "", "Мнение:", "Важно:", "👉"),
        ("Западные СМИ", "Американские СМИ", "Украинские власти", "Европейские политики",
         "Наши военные", "Российские врачи", "Эксперты", "Российские дипломаты"),
        ("снова обвиняют Москву без доказательств", "не выполняют Минские соглашения",
         "помогают людям в {n} странах", "признают, что санкции не работают",
         "раскрыли очередную провокацию", "продолжают информационную войну против России",
         "отметили {n}-летие Победы"),
        ("", "", "#Россия", "#правда", "👉"),
    ),
    tags=("Россия", "Запад", "санкции", "правда", "Донбасс"),
    links=(Link("site", ("www.vzglyad-24.ru",), ("news", "politics")),),
    link_prob=0.3,
    slug=SLUG_RU,
)

IRA_OUTLETS = (
    # (display name, screen name, domain)
    ("Atlantic Skeptic Review", "AtlSkepticRev", "www.atlanticskepticreview.org"),
    ("Borderline Strategy Journal", "BorderlineSJ", "www.borderlinestrategy.net"),
)

IRA_US_EN = Topic(
    lang="en",
    slots=(
        ("", "", "", "Unbelievable.", "This.", "Let that sink in:", "Another one:", "Reminder:"),
        ("Police in this city", "Both parties", "Corporate media outlets", "Working people in this country",
         "Black communities", "Party insiders", "Drug companies", "Washington politicians",
         "Young voters", "Millions of renters", "Defense contractors", "Tech billionaires"),
        ("don't care about people like us", "got {n} billion while we got nothing",
         "are being ignored again", "will not save you this November",
         "keep sending our money to endless wars", "are tired of empty promises",
         "made record profits during the crisis",
         "are one paycheck away from losing everything", "lied about the numbers again",
         "need real change, not slogans"),
        ("", "", "", "#BlackLivesMatter", "#Election2020", "💯", "Share this."),
    ),
    tags=("BlackLivesMatter", "Election2020", "MedicareForAll", "EndTheWars", "USA",
          "Democrats", "Republicans", "Vote"),
    links=(Link("site", (IRA_OUTLETS[0][2],), ("analysis", "usa"), 0.5),
           Link("site", (IRA_OUTLETS[1][2],), ("commentary",), 0.3), Link("youtube", weight=0.2)),
    link_prob=0.25,
    slug=SLUG_EN,
)

IRA_EU_EN = Topic(
    lang="en",
    slots=(
        ("", "", "Europe:", "Meanwhile in the EU:", "Opinion:"),
        ("Brussels", "The governing coalition in Berlin", "The EU Commission",
         "The European Parliament", "Germany's energy policy", "The sanctions regime",
         "The migration pact", "The Green Deal"),
        ("ignores the will of ordinary Europeans", "costs European businesses {n} billion euros",
         "is pushing the continent toward crisis", "has failed to deliver on its promises",
         "is hurting farmers in Poland and France", "makes energy unaffordable for families",
         "is more divided than ever", "follows Washington's orders again"),
        ("", "", "#EU", "#Europe", "#Nordstream2", "#Brexit"),
    ),
    tags=("EU", "Europe", "Germany", "France", "Brexit", "Nordstream2", "Migration", "Sanctions"),
    links=(Link("site", (IRA_OUTLETS[0][2],), ("europe",), 0.6),
           Link("site", (IRA_OUTLETS[1][2],), ("europe",), 0.4)),
    link_prob=0.3,
    slug=SLUG_EN,
)

IRA_EU_DE = Topic(
    lang="de",
    slots=(
        ("", "", "Meinung:", "Wichtig:"),
        ("Die Bundesregierung", "Brüssel", "Die EU-Kommission", "Das Sanktionsregime",
         "Die Energiewende"),
        ("ignoriert die Sorgen der Menschen", "kostet uns {n} Milliarden Euro",
         "treibt die Preise nach oben", "folgt wieder nur Washington",
         "ruiniert den Mittelstand"),
        ("", "", "#EU", "#Deutschland", "#Nordstream2"),
    ),
    tags=("EU", "Deutschland", "Nordstream2", "Energiewende", "Bauernproteste"),
    slug=SLUG_DE,
)


def ira_outlet_topic(domain: str) -> Topic:
    """Headlines of one IRA-linked outlet, linking to its own site."""
    return Topic(
        lang="en",
        slots=(
            ("", "", "New analysis:", "Op-ed:", "Must read:", "From our archive:", "Interview:"),
            ("Why NATO expansion", "How Washington's sanctions policy", "Why the Belarus crisis",
             "Brussels' energy plan", "The Baltic security agenda",
             "The hidden cost of US bases in Europe", "The Western think-tank industry",
             "The coming energy war", "Brexit", "The myth of the Russian threat"),
            ("backfired on Europe", "is reshaping the Eurasian balance",
             "is about more than democracy", "threatens European sovereignty",
             "serves only arms manufacturers", "will define the next {n} years",
             "benefits no one in Europe", "exposes the double standards of the West"),
            ("", "", "| by our analyst", "— read the full piece", "(part {n})"),
        ),
        tags=("Geopolitics", "NATO", "Eurasia", "Belarus", "Russia", "EU", "Sanctions", "Energy"),
        links=(Link("site", (domain,), ("analysis", "geopolitics", "commentary")),),
        link_prob=0.92,
        media_prob=0.02,
        num=(2, 12),
        slug=SLUG_EN,
    )


# ---------------------------------------------------------------------------------------
# Armenia (armenia_202012): accounts posing as Azerbaijani officials and outlets
# ---------------------------------------------------------------------------------------

ARMENIA_OUTLETS = (
    ("Baku Daily Wire", "BakuDailyWire", "www.bakudailywire.com"),
    ("Xəzər Xəbər 24", "XezerXeber24", "www.xezerxeber24.com"),
    ("Azeri Pulse News", "AzeriPulseNews", "www.azeripulse.net"),
    ("Caspian Morning Post", "CaspianMornPost", "www.caspianmorningpost.com"),
    ("Ganja Today", "GanjaTodayNews", "www.ganjatoday.net"),
    ("Absheron Bulletin", "AbsheronBullet", "www.absheronbulletin.com"),
)

ARM_AZ_STATE = Topic(
    lang="tr",
    slots=(
        ("", "", "Rəsmi Bakı:", "XİN açıqlaması:", "Diqqət!", "Son dəqiqə:"),
        ("Azərbaycan Ordusu", "Müdafiə Nazirliyi", "Rəsmi Bakı", "Xarici İşlər Nazirliyi",
         "Prezident Administrasiyası", "Hökumət nümayəndəsi", "Bakıdakı səfirliklər"),
        ('"torpaqlarımızın azad edilməsi davam edir" deyə bəyan etdi',
         '"{n} kənd azad edilib" məlumatını yayıb',
         '"sülh danışıqlarına hazırıq" açıqlaması verdi',
         '"beynəlxalq hüququn tələbləri yerinə yetirilməlidir" bildirdi',
         '"mülki əhaliyə qarşı təxribat" iddiasını irəli sürdü',
         '"Qarabağ Azərbaycandır" şüarını təkrarladı'),
        ("", "", "#Azerbaijan", "#Karabakh", "#Qarabağ", "🇦🇿"),
    ),
    tags=("Azerbaijan", "Karabakh", "Qarabağ", "Baku", "Azərbaycan"),
    links=(Link("sitenum", tuple(o[2] for o in ARMENIA_OUTLETS), ("xeberler", "siyaset")),),
    link_prob=0.4,
)

ARM_NEWS_EN = Topic(
    lang="en",
    slots=(
        ("", "", "BREAKING:", "Baku news:", "Update:", "🔴", "Analysis:"),
        ("Azerbaijani officials", "Residents of Baku", "Government insiders in Baku",
         "Opposition activists in Azerbaijan", "Independent journalists",
         "Turkish advisers in Baku", "Ministry sources", "Families of soldiers",
         "Observers in Ganja"),
        ("admit losses are far higher than reported", "complain about censorship and arrests",
         "were seen leaving the country", "question the official war narrative",
         "report {n} soldiers missing near the front",
         "refuse to comment on the Syrian fighters", "demand the truth about the casualties",
         "say the economy is close to collapse"),
        ("", "", "#Azerbaijan", "#Baku", "#Karabakh", "👇"),
    ),
    tags=("Azerbaijan", "Baku", "Karabakh", "Artsakh", "PeaceForArtsakh", "Turkey"),
    links=(Link("sitenum", tuple(o[2] for o in ARMENIA_OUTLETS), ("news", "politics", "region")),),
    link_prob=0.6,
    media_prob=0.15,
)

ARM_NEWS_RU = Topic(
    lang="ru",
    slots=(
        ("", "", "Срочно:", "Баку:", "Новости:"),
        ("Власти Азербайджана", "Жители Баку", "Независимые журналисты", "Турецкие советники",
         "Семьи военнослужащих", "Источники в министерстве", "Наблюдатели"),
        ("скрывают реальные потери", "жалуются на цензуру и аресты",
         "сообщают о {n} пропавших без вести",
         "отказываются комментировать участие наемников", "требуют правды о войне",
         "признают провал наступления"),
        ("", "", "#Азербайджан", "#Карабах", "👇"),
    ),
    tags=("Азербайджан", "Карабах", "Баку", "Арцах", "Турция"),
    links=(Link("sitenum", tuple(o[2] for o in ARMENIA_OUTLETS), ("ru", "novosti")),),
    link_prob=0.4,
)

ARM_HY_TRANSLIT = Topic(
    lang="und",
    slots=(
        ("", "", "", "Hayer,", "Paraq!", "Aysor"),
        ("Artsakhy", "Mer zinvornery", "Hay zhoghovurdy", "Mer tghanery", "Hayastany",
         "Shushin", "Mer hayreniqy"),
        ("mern e ev mer kmna", "herosabar paykarum en", "miasnakan e", "haghteluen",
         "ays gisher chen qnum", "erbek chi handznvi", "{n} tari aprel e ays hoghum"),
        ("", "", "#Artsakh", "#ArtsakhStrong", "🇦🇲", "#Haghteluenq"),
    ),
    tags=("Artsakh", "ArtsakhStrong", "Armenia", "Haghteluenq", "StopAzerbaijaniAggression",
          "RecognizeArtsakh", "Hayastan"),
)

ARM_PRO_EN = Topic(
    lang="en",
    slots=(
        ("", "", "", "Please share:", "Never forget:", "Today:"),
        ("The defenders of #Artsakh", "The people of Artsakh", "Armenian volunteers", "World leaders",
         "Civilians in Stepanakert", "Drones over the villages", "Foreign mercenaries",
         "Ancient Armenian churches"),
        ("will never surrender", "deserve recognition and peace", "must not stay silent",
         "have been under shelling for {n} days", "target civilian homes again",
         "are a threat to the whole region", "have stood here for {n} centuries"),
        ("", "", "#ArtsakhStrong", "#RecognizeArtsakh", "#StopAzerbaijaniAggression", "🇦🇲"),
    ),
    tags=("ArtsakhStrong", "RecognizeArtsakh", "StopAzerbaijaniAggression", "Armenia",
          "Artsakh", "PeaceForArtsakh"),
    num=(2, 40),
)

ARM_FM_EN = Topic(
    lang="en",
    slots=(
        ("", "", "Statement:", "Today", "📌"),
        ("Our delegation", "The Ministry", "Azerbaijan", "Our diplomatic service",
         "The Government of Azerbaijan"),
        ("held talks on regional security and cooperation",
         "remains committed to a peaceful settlement",
         "discussed the humanitarian situation with {n} partners",
         "calls on the international community to act responsibly",
         "expresses deep concern over the latest events", "welcomes the ceasefire initiative"),
        ("", "", "#Azerbaijan", "#Diplomacy", "🇦🇿"),
    ),
    tags=("Azerbaijan", "Diplomacy", "MFA", "Karabakh"),
    n_tags=(0.4, 0.4, 0.2, 0.0),
    num=(2, 30),
    newline_prob=0.4,
)

ARM_SPOKES_EN = Topic(
    lang="en",
    slots=(
        ("", "", "Comment:", "📌", "Press release:"),
        ("The Ministry of Foreign Affairs", "The Press Service", "Our Ministry",
         "The spokesperson's office"),
        ("rejects the latest claims as groundless", "will hold a briefing at {n}:00",
         "informs that consultations continue", "urges media to rely on official sources",
         "condemns provocative statements", "clarifies the position on the talks"),
        ("", "", "#Azerbaijan", "#MFA", "🇦🇿"),
    ),
    tags=("Azerbaijan", "MFA", "Baku", "Karabakh"),
    num=(9, 18),
)

ARM_AZ_GENERIC = Topic(
    lang="tr",
    slots=(
        ("", "", "Xəbər:", "Bu gün"),
        ("Bakıda", "Gəncədə", "Sumqayıtda", "Regionlarda", "Lənkəranda"),
        ("hava şəraiti dəyişir", "yeni park açılıb", "{n} nəfər iş yeri ilə təmin olunub",
         "festival keçirilir", "yeni məktəb tikilir"),
        ("", "", "#Baku", "#Azerbaijan", "🇦🇿"),
    ),
    tags=("Baku", "Azerbaijan", "Bakı"),
)

ARM_FOLLOW_RU = Topic(
    lang="ru",
    slots=(
        ("", "", "Привет!", "✅"),
        ("Подписался на тебя,", "Взаимная подписка!", "Я подписан,"),
        ("подпишись в ответ", "жду взаимности 🙏", "подписка за подписку"),
        ("", "", "#взаимныйфолловинг", "#ВзаимнаяПодписка", "🙏"),
    ),
    tags=("взаимныйфолловинг", "ВзаимнаяПодписка", "FollowBack"),
    n_tags=(0.6, 0.3, 0.1, 0.0),
    reply_phrase_prob=0.0,
)

HOROSCOPE = Topic(
    lang="en",
    slots=(
        ("Aries:", "Taurus:", "Gemini:", "Cancer:", "Leo:", "Virgo:", "Libra:", "Scorpio:",
         "Sagittarius:", "Capricorn:", "Aquarius:", "Pisces:"),
        ("Today is a good day to", "Focus on your chance to", "Don't be afraid to",
         "You may feel the urge to", "The stars suggest you"),
        ("take a step back", "share your ideas", "trust your intuition",
         "reconnect with old friends", "finish what you started", "say yes to something new"),
        ("", "", "More for your sign:", "✨"),
    ),
    links=(Link("site", ("www.dailystarsigns.net",), ("daily",)),),
    link_prob=0.95,
    media_prob=0.0,
    newline_prob=0.0,
    n_tags=(1.0, 0.0, 0.0, 0.0),
    slug=("horoscope", "today", "stars", "sign"),
    client="Twittascope",
)

# ---------------------------------------------------------------------------------------
# Control cohort: ordinary accounts on the same topics and languages
# ---------------------------------------------------------------------------------------
# Ordinary people share news from a few popular sites (a heavy-tailed popularity), chat
# about their day, argue about the news on both sides and live-tweet the same public
# events as the operations. Every domain and handle here is invented (youtube.com aside).

#: Popular international news sites, most popular first (``Link.weight`` is the share).
CTL_POPULAR_NEWS = (
    Link("site", ("www.dailyorbitnews.com",), ("world", "politics", "us"), 0.24),
    Link("site", ("www.morningledger-online.com",), ("news", "politics"), 0.16),
    Link("site", ("www.globalwirenews.com",), ("world", "europe", "middle-east"), 0.12),
    Link("sitenum", ("www.thecapitalherald.com",), ("article",), 0.08),
    Link("site", ("www.metrotribune-news.com",), ("nation", "world"), 0.06),
    Link("site", ("www.worldpulse24.com",), ("news",), 0.05),
    Link("youtube", weight=0.29),
)


def _local_news(domain: str, path: str) -> tuple[Link, ...]:
    """A language's own popular site, beside the international ones."""
    return (Link("site", (domain,), (path, "world"), 0.45),) + tuple(
        Link(lk.kind, lk.names, lk.paths, lk.weight * 0.55) for lk in CTL_POPULAR_NEWS)


CTL_US_EN = Topic(
    lang="en",
    slots=(
        ("", "", "", "", "ok", "Ugh.", "So", "lol", "Honestly,"),
        ("just voted early, took {n} minutes", "can't stop refreshing the polls",
         "my neighbor put up a third yard sign", "the news tonight was exhausting to watch",
         "everyone at work is arguing about the election", "turned off the TV after {n} minutes",
         "my mom called to ask who I'm voting for", "the line at the post office was {n} people long",
         "our town council finally fixed the potholes on Main St", "I need a break from politics",
         "the political ads on TV are nonstop", "registered to vote today, finally",
         "this election is all my family talks about", "the mail-in ballot came today",
         "Trump's rally was on every channel again", "Biden's speech was better than I expected",
         "my uncle still thinks Trump will win by {n} points", "half my feed is Biden memes"),
        ("", "", "", "honestly", "send help", "what a year", "anyway", "again"),
        ("", "", "", "😩", "🙄", "lol", "smh", "#Election2020"),
    ),
    tags=("Election2020", "Vote", "Politics", "news", "USA", "Trump", "Biden"),
    n_tags=(0.7, 0.2, 0.08, 0.02),
    links=CTL_POPULAR_NEWS,
    link_prob=0.2,
    slug=SLUG_EN,
    num=(2, 90),
)

CTL_WORLD_EN = Topic(
    lang="en",
    slots=(
        ("", "", "", "Just read", "Sad news:", "Interesting:", "Worth reading:"),
        ("a new report about", "the latest on", "an interview about", "a documentary on",
         "my cousin's letter about", "a long piece on"),
        ("the situation in Syria", "the NATO summit", "the fighting in Karabakh",
         "sanctions on Iran", "refugees in Greece", "the protests in Belarus",
         "aid deliveries to Idlib", "the elections in the US", "Palestinian families in Gaza",
         "Azerbaijan's oil money", "the lockdown in Europe"),
        ("", "", "", "💔", "Worth your time.", "#news", "{n} comments already"),
    ),
    tags=("Syria", "NATO", "Karabakh", "Iran", "Gaza", "news", "world", "Azerbaijan"),
    n_tags=(0.6, 0.28, 0.1, 0.02),
    links=CTL_POPULAR_NEWS,
    link_prob=0.35,
    slug=SLUG_EN,
)

CTL_NEWS_EN = Topic(
    lang="en",
    slots=(
        ("", "", "", "", "Worth reading:", "Breaking:", "Just in:", "This 👇", "Good piece:",
         "From this morning:"),
        ("NATO allies", "NATO defence ministers", "The NATO secretary general", "Azerbaijan and Armenia",
         "Fighting in Nagorno-Karabakh", "Azerbaijan's president", "Armenia's prime minister",
         "Turkey", "Russia", "The UN envoy for Syria", "Aid convoys to Idlib",
         "Syrian refugees in Lebanon", "Biden", "Trump", "The Biden campaign", "The Trump campaign",
         "US election officials", "Iran", "The EU"),
        ("agree to raise spending by {n}%", "meet in Brussels amid tensions with Russia",
         "trade blame as shelling continues", "call for an immediate ceasefire",
         "say {n} civilians were killed overnight", "discuss the future of the alliance",
         "face questions over the war in Syria", "hold a rally in Pennsylvania",
         "lead in {n} new polls", "warn of a long fight over mail-in ballots",
         "announce new sanctions", "reach a truce in Moscow", "open a humanitarian corridor",
         "pledge {n} million in aid", "respond to criticism from allies"),
        ("", "", "", "", "#news", "#NATO", "#Syria", "#Karabakh", "#Election2020"),
    ),
    tags=("news", "NATO", "Syria", "Karabakh", "Azerbaijan", "Armenia", "Election2020", "Trump",
          "Biden", "breaking", "world"),
    n_tags=(0.55, 0.28, 0.13, 0.04),
    links=CTL_POPULAR_NEWS,
    link_prob=0.8,
    slug=SLUG_EN,
    num=(2, 60),
)

#: Opinions on both sides of the same questions the operations push.
CTL_OPINION_EN = Topic(
    lang="en",
    slots=(
        ("", "", "", "Honestly,", "Unpopular opinion:", "Hot take:", "Say what you want, but",
         "I'm sorry but", "My two cents:"),
        ("NATO", "Trump", "Biden", "Azerbaijan", "Armenia", "the war in Syria", "the Karabakh war",
         "the US election", "the alliance", "Turkey's role in Karabakh", "Europe's defence budget"),
        ("keeps Europe safe", "is a waste of money", "did better than I expected",
         "was a disaster tonight", "deserves more credit", "gets way too little coverage",
         "has every right to defend itself", "needs a real peace deal, not more weapons",
         "is the reason I'm voting this year", "is not as simple as Twitter thinks",
         "should stay out of it", "will end badly for everyone"),
        ("", "", "", "🤷", "Change my mind.", "#NATO", "#Trump2020", "#Biden2020", "#Karabakh",
         "#Syria", "#PeaceNow"),
    ),
    tags=("NATO", "Trump", "Biden", "Karabakh", "Syria", "Azerbaijan", "Armenia", "Politics"),
    n_tags=(0.7, 0.2, 0.08, 0.02),
    links=CTL_POPULAR_NEWS,
    link_prob=0.06,
    slug=SLUG_EN,
)

#: Live-tweeting the first 2020 US presidential debate, from both sides.
CTL_DEBATE_EN = Topic(
    lang="en",
    slots=(
        ("", "", "", "lol", "Wow.", "OMG", "Ok", "Wait,", "Me watching this:"),
        ("this debate", "Trump", "Biden", "the moderator", "all the interrupting", "tonight",
         "my whole family", "this country", "the fact-checkers"),
        ("is a total mess", "just won the night", "cannot finish one sentence",
         "needs a mute button", "is the best TV in years", "made me spit out my drink",
         "lost me at minute {n}", "is exactly why I'm voting", "was painful to watch",
         "and we're only {n} minutes in"),
        ("", "", "", "😂", "🤦", "😬", "🍿", "smh"),
    ),
    tags=("Debates2020", "Debate2020", "PresidentialDebate", "Trump", "Biden", "DebateNight"),
    n_tags=(0.3, 0.45, 0.2, 0.05),
    media_prob=0.12,
    slug=SLUG_EN,
    num=(2, 90),
)

#: Election day and election night, 3-4 November 2020.
CTL_ELECTION_EN = Topic(
    lang="en",
    slots=(
        ("", "", "", "Ok", "Update:", "So", "lol", "Me:"),
        ("I voted", "just voted", "the line at my polling place", "election night",
         "my state", "Pennsylvania", "the count in Georgia", "this map", "the needle", "my anxiety"),
        ("took {n} minutes", "is moving so slowly", "is wild", "is too close to call",
         "won't be decided tonight", "is not ok", "has me refreshing every {n} seconds",
         "is a rollercoaster"),
        ("", "", "", "😬", "🇺🇸", "🙏", "#IVoted"),
    ),
    tags=("ElectionDay", "Election2020", "IVoted", "ElectionNight", "Vote", "Trump", "Biden"),
    n_tags=(0.3, 0.42, 0.2, 0.08),
    links=CTL_POPULAR_NEWS,
    link_prob=0.12,
    slug=SLUG_EN,
    num=(2, 90),
)

#: The 2020 Nagorno-Karabakh war seen by ordinary people, in English, from both sides.
CTL_KARABAKH_EN = Topic(
    lang="en",
    slots=(
        ("", "", "", "Heartbreaking.", "Praying for", "Please read:", "So sad:"),
        ("civilians in Stepanakert", "families in Ganja", "both sides in Karabakh",
         "people in Armenia and Azerbaijan", "the Armenian diaspora", "Azerbaijani refugees",
         "everyone affected by the war"),
        ("are living in basements now", "lost their homes last night", "deserve peace",
         "need humanitarian help", "are protesting in {n} cities", "have waited {n} years for justice"),
        ("", "", "", "🙏", "💔", "#PeaceInKarabakh", "#Karabakh"),
    ),
    tags=("Karabakh", "NagornoKarabakh", "Armenia", "Azerbaijan", "Artsakh", "StopTheWar",
          "PeaceInKarabakh"),
    n_tags=(0.4, 0.35, 0.18, 0.07),
    links=CTL_POPULAR_NEWS,
    link_prob=0.35,
    slug=SLUG_EN,
    num=(2, 30),
)

CTL_KARABAKH_AZ = Topic(
    lang="tr",
    slots=(
        ("", "", "", "Şəhidlərimizə rəhmət.", "Bu gün", "Xəbər:"),
        ("Qarabağ", "Ordumuz", "Gəncədə mülki insanlar", "Bütün Azərbaycan", "Ailəm"),
        ("Azərbaycandır!", "irəliləyir", "yenə atəş altındadır", "birlikdədir", "sülh istəyir",
         "{n} gündür xəbər gözləyir"),
        ("", "", "", "🇦🇿", "🙏", "#KarabakhIsAzerbaijan", "#StopArmenianAggression"),
    ),
    tags=("KarabakhIsAzerbaijan", "StopArmenianAggression", "Qarabağ", "Azerbaijan", "Karabakh"),
    n_tags=(0.4, 0.35, 0.18, 0.07),
    links=_local_news("www.bakixeberleri-gundem.az", "xeber"),
    link_prob=0.2,
    num=(2, 30),
)

CTL_KARABAKH_HY = Topic(
    lang="hy",
    slots=(
        ("", "", "", "Աղոթում ենք", "Այսօր"),
        ("Արցախը", "Ստեփանակերտը", "Մեր զինվորները", "Ամբողջ Հայաստանը", "Իմ ընտանիքը"),
        ("կհաղթի", "կրկին ռմբակոծվում է", "միասին է", "խաղաղություն է ուզում", "{n} օր է սպասում"),
        ("", "", "", "🇦🇲", "🙏", "#ArtsakhStrong", "#StopAzerbaijaniAggression", "#RecognizeArtsakh"),
    ),
    tags=("Artsakh", "ArtsakhStrong", "StopAzerbaijaniAggression", "RecognizeArtsakh", "Armenia",
          "Karabakh"),
    n_tags=(0.4, 0.35, 0.18, 0.07),
    links=_local_news("www.yerevan-oratert.am", "lurer"),
    link_prob=0.2,
    num=(2, 30),
)

CTL_KARABAKH_RU = Topic(
    lang="ru",
    slots=(
        ("", "", "", "Срочно:", "Ужасно.", "Новости:"),
        ("В Карабахе", "В Степанакерте", "В Гяндже", "На линии фронта", "Москва"),
        ("снова обстрелы", "объявлено перемирие", "погибли {n} мирных жителей", "призывает к миру",
         "ситуация обостряется"),
        ("", "", "", "#Карабах", "#НагорныйКарабах", "🙏"),
    ),
    tags=("Карабах", "НагорныйКарабах", "Армения", "Азербайджан", "мир"),
    n_tags=(0.45, 0.35, 0.15, 0.05),
    links=_local_news("www.novosti-dnya-segodnya.ru", "news"),
    link_prob=0.3,
    slug=SLUG_RU,
    num=(2, 30),
)

CTL_DAILY_EN = Topic(
    lang="en",
    slots=(
        ("", "", "", "Morning!", "Finally", "Update:", "lol"),
        ("this coffee made my whole day", "the dog stole my sandwich again",
         "my sister is visiting this weekend", "the weather is way better than expected",
         "our team won {n}-0", "this playlist kept me up all night",
         "the new cafe downtown is the only good thing about Mondays",
         "my garden finally has tomatoes", "ran {n} miles this morning",
         "baked bread for the first time", "the bus was {n} minutes late again",
         "day {n} of working from home"),
        ("", "", "", "", "honestly", "again", "!!"),
        ("", "", "", "☕", "😂", "🌧️", "#weekend"),
    ),
    tags=("weekend", "coffee", "football", "music", "garden", "WFH", "NowPlaying"),
    n_tags=(0.75, 0.2, 0.05, 0.0),
    links=(YOUTUBE,),
    link_prob=0.12,
    num=(2, 9),
    slug=SLUG_EN,
    media_prob=0.2,
)

CTL_ES = Topic(
    lang="es",
    slots=(
        ("", "", "", "Hoy", "Buenos días,", "Jajaja", "Ojo:", "Leyendo:"),
        ("mi hermana me alegró el día", "el partido estuvo buenísimo", "ganamos {n}-0",
         "la profe nos dejó sin tarea", "en mi barrio no hay luz otra vez",
         "el café de la esquina cerró", "la noticia de Palestina me dejó triste",
         "el precio del pan sube otra vez", "la lluvia no para desde hace {n} días",
         "terminé el libro que me recomendaron", "el debate de Trump y Biden fue un circo",
         "la guerra en Karabaj da miedo", "otra vez hablan de la OTAN en las noticias"),
        ("", "", "", "", "en serio", "otra vez", "qué semana"),
        ("", "", "", "☕", "😂", "💔", "#PalestinaLibre", "#Noticias"),
    ),
    tags=("PalestinaLibre", "fútbol", "lunes", "Venezuela", "noticias", "Elecciones2020"),
    n_tags=(0.7, 0.22, 0.06, 0.02),
    num=(2, 9),
    links=_local_news("www.eldiariodelsur-online.net", "noticias"),
    link_prob=0.25,
    slug=SLUG_ES,
)

CTL_FA = Topic(
    lang="fa",
    slots=(
        ("", "", "", "امروز", "صبح بخیر،", "خبر خوب:"),
        ("هوای تهران خیلی خوب بود", "کلاس زبان تمام شد", "مادرم غذای خوشمزه‌ای پخت",
         "با دوستم به کوه رفتیم", "قیمت نان دوباره گران شد", "کتاب جدیدی خریدم",
         "ترافیک {n} ساعت طول کشید", "تیم ما {n} بر صفر برد", "خبر انتخابات آمریکا را دیدم"),
        ("", "", "", "واقعا", "باز هم"),
        ("", "", "", "☕", "😂", "#تهران"),
    ),
    tags=("تهران", "ایران", "کتاب", "فوتبال"),
    n_tags=(0.72, 0.2, 0.06, 0.02),
    num=(2, 6),
    links=_local_news("www.khabar-roozane-online.ir", "news"),
    link_prob=0.2,
)

CTL_FR = Topic(
    lang="fr",
    slots=(
        ("", "", "", "Bon,", "Enfin", "Bonjour !", "Mdr", "À lire :"),
        ("le match était incroyable", "ma voisine m'a fait rire", "le café du coin a fermé",
         "la grève dure depuis {n} jours", "le journal du soir parle encore de la Syrie",
         "la météo est catastrophique", "mon chat dort depuis {n} heures",
         "on a gagné {n}-0 ce soir", "le sommet de l'OTAN ne change rien", "le confinement recommence"),
        ("", "", "", "", "franchement", "encore"),
        ("", "", "", "☕", "😂", "#Paris", "#actu"),
    ),
    tags=("Paris", "football", "grève", "actu", "confinement"),
    n_tags=(0.7, 0.22, 0.06, 0.02),
    num=(2, 9),
    links=_local_news("www.lequotidien-dumonde.fr", "actualites"),
    link_prob=0.25,
    slug=SLUG_FR,
)

CTL_ID = Topic(
    lang="id",
    slots=(
        ("", "", "", "Pagi,", "Wkwk", "Alhamdulillah"),
        ("kopi pagi ini bikin semangat", "macet di Jakarta parah banget", "ibu saya masak rendang",
         "tim kita menang {n}-0", "berita tentang Palestina bikin sedih",
         "hujan sore ini sudah {n} jam", "akhirnya libur panjang", "nonton debat Trump Biden"),
        ("", "", "", "", "banget", "lagi"),
        ("", "", "", "☕", "😂", "🤲", "#SavePalestine"),
    ),
    tags=("SavePalestine", "Jakarta", "bola", "kopi"),
    n_tags=(0.7, 0.22, 0.06, 0.02),
    num=(2, 6),
    links=_local_news("www.kabarharian-nusantara.id", "berita"),
    link_prob=0.2,
    slug=SLUG_ID,
)

CTL_AR = Topic(
    lang="ar",
    slots=(
        ("", "", "", "صباح الخير،", "اليوم", "خبر جميل:"),
        ("القهوة كانت رائعة", "المباراة انتهت {n}-0", "أخبار غزة أحزنتني كثيرا",
         "الطقس في بيروت جميل", "الدراسة استمرت {n} ساعات", "أمي طبخت المقلوبة",
         "انفجار المرفأ لا يفارق ذاكرتي", "أخبار سوريا كل يوم أسوأ"),
        ("", "", "", "", "فعلا", "مرة أخرى"),
        ("", "", "", "☕", "😂", "#غزة", "#بيروت"),
    ),
    tags=("غزة", "بيروت", "كرة_القدم", "القهوة", "سوريا"),
    n_tags=(0.7, 0.22, 0.06, 0.02),
    num=(2, 6),
    links=_local_news("www.sahat-alakhbar-online.net", "news"),
    link_prob=0.2,
)

CTL_RU = Topic(
    lang="ru",
    slots=(
        ("", "", "", "Итак,", "Утро.", "Кстати,"),
        ("кофе поднял настроение", "матч закончился {n}:0", "соседка опять удивила",
         "погода в Москве не радует", "новости про Сирию обсуждаем уже {n} часа",
         "мой кот спит весь день", "наконец-то выходные", "опять спорим про НАТО на кухне"),
        ("", "", "", "", "честно", "опять"),
        ("", "", "", "☕", "😂", "#Москва"),
    ),
    tags=("Москва", "футбол", "новости", "кофе"),
    n_tags=(0.7, 0.22, 0.06, 0.02),
    num=(2, 6),
    links=_local_news("www.novosti-dnya-segodnya.ru", "news"),
    link_prob=0.2,
    slug=SLUG_RU,
)

CTL_AZ = Topic(
    lang="tr",
    slots=(
        ("", "", "", "Sabahınız xeyir,", "Bu gün"),
        ("Bakının havası çox gözəl idi", "çay məni sevindirdi", "anam plov bişirdi",
         "oyun {n}-0 bitdi", "dənizkənarı bulvarda gəzdik", "yenə soyuqdur"),
        ("", "", "", "", "yenə"),
        ("", "", "", "☕", "🇦🇿", "#Bakı"),
    ),
    tags=("Bakı", "Azərbaycan", "futbol"),
    n_tags=(0.72, 0.2, 0.06, 0.02),
    num=(2, 6),
    links=_local_news("www.bakixeberleri-gundem.az", "xeber"),
    link_prob=0.15,
)

CTL_HY = Topic(
    lang="und",
    slots=(
        ("", "", "", "Bari luys,", "Aysor"),
        ("surjy shat lav er", "khaghy avartvec {n}-0", "mayrs dolma patrastec",
         "Yerevani poghocnery lav en", "yeghanaky tsurt e aysor"),
        ("", "", "", "", "norits"),
        ("", "", "", "☕", "🇦🇲", "#Yerevan"),
    ),
    tags=("Yerevan", "Armenia", "football"),
    n_tags=(0.72, 0.2, 0.06, 0.02),
    num=(2, 6),
    links=_local_news("www.yerevan-oratert.am", "lurer"),
    link_prob=0.15,
)

#: Invented popular accounts whose tweets go viral in the control cohort.
CTL_VIRAL_HANDLES: tuple[str, ...] = (
    "WorldDeskLive", "NightlyNewsDesk", "ElectionWatchHQ", "DebateNightLive", "CaucasusUpdate",
    "BreakingWireNow", "GoodNewsDailyX", "FootyMomentsTV", "NoticiasAlMinut", "InfoDirecteFR",
    "BeritaTerkini24", "NovostiSegodnya", "AkhbarAlanLive", "KhabarForiNews", "BakuTodayLive",
    "YerevanNowLive",
)

#: How ordinary accounts post: each account keeps to one profile (mostly one app).
CTL_CLIENT_PROFILES: dict[str, dict[str, float]] = {
    "iphone": {"Twitter for iPhone": 0.88, "Twitter Web App": 0.09, "Twitter for iPad": 0.03},
    "android": {"Twitter for Android": 0.9, "Twitter Web App": 0.1},
    "web": {"Twitter Web App": 0.84, "Twitter for iPhone": 0.08, "Twitter for Android": 0.08},
    "lite": {"Twitter Lite": 0.8, "Twitter for Android": 0.2},
    "tweetdeck": {"TweetDeck": 0.75, "Twitter Web App": 0.15, "Twitter for iPhone": 0.1},
    "hootsuite": {"Hootsuite Inc.": 0.7, "Twitter Web App": 0.2, "Twitter for Android": 0.1},
}

#: Short replies by language (used instead of a full text for some replies).
REPLY_PHRASES: dict[str, tuple[str, ...]] = {
    "en": ("Exactly.", "So true.", "Well said!", "Shame.", "This is the truth.", "100% agree",
           "Source?", "Not surprised.", "Thank you for sharing", "👏👏", "Lies, as usual.",
           "Wake up people!"),
    "es": ("Así es.", "¡Totalmente de acuerdo!", "Vergüenza.", "Gran verdad", "👏👏",
           "Gracias por compartir"),
    "fa": ("دقیقا", "کاملا موافقم", "👏👏", "ممنون از شما", "حق با شماست"),
    "fr": ("Exactement.", "Tout à fait d'accord", "Honteux.", "Merci pour le partage", "👏👏"),
    "ar": ("صحيح", "أحسنت", "👏👏", "شكرا على المشاركة", "هذه هي الحقيقة"),
    "id": ("Setuju!", "Aamiin", "Betul sekali", "Terima kasih infonya", "👏👏"),
    "ru": ("Точно.", "Согласен", "Позор.", "Спасибо", "👍", "Так и есть"),
    "de": ("Genau.", "Stimmt!", "Danke", "👍"),
    "tr": ("Düzdür", "Razıyam", "Təşəkkürlər", "👏"),
    "und": ("👍", "🙏", "👏👏", "💯"),
}

#: Rare tweet_language codes that language detection assigns by mistake.
NOISE_LANGS: tuple[str, ...] = (
    "pt", "it", "de", "tr", "ur", "tl", "ht", "et", "ca", "nl", "pl", "hi", "ro", "cy", "lt",
    "sv", "da", "no", "fi", "eu", "iw", "in", "uk", "bg", "sr", "ja", "ko", "zh", "th", "hu",
)

# ---------------------------------------------------------------------------------------
# Profiles: names, places, descriptions
# ---------------------------------------------------------------------------------------

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "us": ("Kelsey", "Brandon", "Tammy", "Dwayne", "Harper", "Colton", "Renee", "Travis",
           "Lacey", "Dustin", "Marla", "Garrett", "Shawna", "Corbin", "Della", "Wyatt"),
    "es": ("Valentina", "Mateo", "Camila", "Santiago", "Lucía", "Tomás", "Ximena", "Joaquín",
           "Renata", "Emiliano"),
    "fa": ("Arash", "Shirin", "Kaveh", "Nasrin", "Bahram", "Parisa", "Dariush", "Mahsa",
           "Farhad", "Laleh"),
    "fr": ("Élodie", "Mathis", "Coralie", "Baptiste", "Solène", "Quentin", "Maëlle", "Loïc"),
    "ar": ("Karim", "Rania", "Samir", "Huda", "Nabil", "Salma", "Tarek", "Ghada"),
    "id": ("Rizky", "Ayu", "Fajar", "Putri", "Bayu", "Indah", "Dimas", "Wulan"),
    "ru": ("Vadim", "Gleb", "Stas", "Roman", "Oleg", "Artem", "Ilya", "Denis"),
    "eu": ("Kjell", "Ingrid", "Lukas", "Femke", "Janis", "Ilze", "Pamela", "Rolf", "Agnese",
           "Torben"),
    "az": ("Elnur", "Aynur", "Rauf", "Günel", "Vüqar", "Sevinc", "Orxan", "Nərmin"),
}
LAST_NAMES: dict[str, tuple[str, ...]] = {
    "us": ("Marlowe", "Pruitt", "Haskins", "Voss", "Delaney", "Strickland", "Whitcomb",
           "Burkhart", "Tillman", "Ledford", "Quarles", "Ashby"),
    "es": ("Ibarra", "Quiroga", "Salcedo", "Arriaga", "Benítez", "Villalba", "Cordero", "Ochoa"),
    "fa": ("Rahnavard", "Kianfar", "Soltani", "Hamedani", "Farzin", "Mostofi", "Zarrin"),
    "fr": ("Marchetti", "Lefranc", "Dumoulin", "Garnier", "Vasseur", "Peyrot"),
    "ar": ("Haddad", "Nassar", "Khoury", "Saleh", "Mansour", "Barakat"),
    "id": ("Saputra", "Wulandari", "Prasetyo", "Lestari", "Nugroho", "Rahmawati"),
    "ru": ("Orlov", "Zimin", "Belov", "Krylov", "Gusev", "Sorokin"),
    "eu": ("Norden", "Larsen", "Ozols", "Bergqvist", "Spenser", "Vinter", "Kalnina", "Holt"),
    "az": ("Məmmədli", "Qasımlı", "Hüseynli", "Rzalı", "Əhmədli", "Cəfərli", "Babalı"),
}

PLACES: dict[str, tuple[str, ...]] = {
    "tehran": ("Tehran, Iran", "Teherán, Irán", "تهران", "Iran", "Tehran"),
    "iran": ("Tehran, Iran", "Isfahan, Iran", "Mashhad", "ایران", "Shiraz", "تهران", "Qom, Iran"),
    "latam": ("Caracas, Venezuela", "Buenos Aires, Argentina", "México", "La Paz, Bolivia",
              "Bogotá", "Santiago de Chile", "Madrid, España"),
    "us": ("Texas, USA", "Ohio", "Florida, USA", "California", "Los Angeles, CA", "Atlanta, GA",
           "Michigan, USA", "Phoenix, AZ", "Pennsylvania", "USA", "Wisconsin"),
    "us_left": ("California", "Los Angeles, CA", "San Diego, CA", "Oakland, CA",
                "New York, NY", "Seattle, WA", "Portland, OR"),
    "indonesia": ("Jakarta, Indonesia", "Bandung", "Surabaya, Jawa Timur", "Indonesia",
                  "Medan", "Makassar"),
    "france": ("Paris, France", "Lyon", "Marseille", "Bruxelles", "Montréal, Québec"),
    "arab": ("بيروت", "بغداد", "دمشق", "Beirut, Lebanon", "Baghdad, Iraq", "صنعاء"),
    "syria": ("Damascus, Syria", "Aleppo", "Latakia, Syria", "Дамаск, Сирия", "دمشق",
              "Deir ez-Zor", "Syria"),
    "russia": ("Москва, Россия", "Санкт-Петербург, Россия", "Russia", "Владивосток",
               "Krasnodar", "Новосибирск"),
    "europe": ("Berlin, Deutschland", "Oslo, Norge", "Stockholm, Sverige", "Riga, Latvia",
               "Edinburgh, Scotland", "Vilnius", "Tallinn", "Hamburg"),
    "azerbaijan": ("Baku, Azerbaijan", "Bakı, Azərbaycan", "Ganja, Azerbaijan", "Sumqayıt",
                   "Gəncə", "Azerbaijan", "Lankaran", "Bakı"),
    "world": ("London, England", "Toronto, Ontario", "Sydney, NSW", "Nairobi, Kenya",
              "Mumbai, India", "Chicago, IL", "Madrid", "Istanbul", "Berlin",
              "Lagos, Nigeria", "Manila", "Dubai"),
}

DESCRIPTIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "us_right": (
        ("Proud American 🇺🇸", "Wife, mom, patriot", "Christian. Conservative.",
         "Retired Marine", "Small business owner", "Trucker and grandpa", "Nurse, gun owner"),
        ("", "| #MAGA #KAG", "| WWG1WGA", "| Trump supporter", "| 2A", "| Back the Blue"),
        ("", "", "No DMs", "God bless America", "Followed by patriots"),
    ),
    "us_left": (
        ("Mom of two", "Teacher", "Nurse", "Proud Californian 🌊", "Public defender",
         "Resister", "Union member", "Retired librarian"),
        ("", "| #Resist", "| #BlueWave", "| #FBR", "| She/her", "| Vote blue no matter who"),
        ("", "", "No lists", "Love wins", "Science is real"),
    ),
    "news_es": (
        ("Periodista", "Analista internacional", "Comunicador", "Activista por Palestina"),
        ("", "| Antiimperialista", "| Irán, Palestina, Latinoamérica", "| Opiniones propias"),
        ("", "", "#PalestinaLibre"),
    ),
    "news_en": (
        ("Journalist", "Independent analyst", "Middle East observer", "Writer"),
        ("", "| Anti-war", "| Iran, Palestine, Yemen", "| Views my own", "| Truth matters"),
        ("", "", "#FreePalestine"),
    ),
    "news_fa": (
        ("خبرنگار", "تحلیلگر", "دانشجو", "فعال رسانه‌ای"),
        ("", "| ایران", "| مقاومت", "| اخبار روز"),
        ("",),
    ),
    "news_fr": (
        ("Journaliste", "Analyste géopolitique", "Militant anti-guerre"),
        ("", "| Palestine libre", "| Moyen-Orient", "| Avis personnels"),
        ("",),
    ),
    "news_ar": (
        ("صحفي", "محلل سياسي", "ناشط إعلامي"),
        ("", "| فلسطين", "| محور المقاومة", "| أخبار"),
        ("",),
    ),
    "id_palestine": (
        ("Muslimah", "Pemuda Indonesia", "Relawan kemanusiaan", "Santri"),
        ("", "| #SavePalestine", "| Bela Al-Aqsa", "| Pecinta damai"),
        ("", "🇮🇩🇵🇸"),
    ),
    "spam": (
        ("Follow me and I follow back", "100% follow back", "Let's grow together",
         "Follow back guaranteed"),
        ("", "| #FollowBack", "| #F4F", "| #TeamFollowBack"),
        ("", "✅", "🔁"),
    ),
    "syria_news": (
        ("Always try to find out the truth", "Independent journalist", "Local news",
         "Freelance reporter", "Ищу правду", "Журналист"),
        ("", "#Syria #MiddleEast", "| Syria, Iraq, Turkey", "| Новости Сирии", "| Views my own"),
        ("", "", "#War", "Ex-military"),
    ),
    "nato_skeptic": (
        ("Peace activist", "Blogger", "Political scientist", "Teacher and father",
         "Retired officer"),
        ("", "| Against new Cold War", "| No to NATO", "| Europe first", "| Neutrality"),
        ("", "", "Posts my own"),
    ),
    "ru_misc": (
        ("Свобода слова - это когда называешь вещи своими именами", "Патриот", "Блогер"),
        ("", "| Россия", "| Политика"),
        ("",),
    ),
    "ira_us": (
        ("Activist", "Organizer", "Student", "Musician", "Veteran", "Mother"),
        ("", "| Power to the people", "| Abolish the two-party system", "| Black lives matter",
         "| Independent"),
        ("", "", "DMs open"),
    ),
    "ira_eu": (
        ("European citizen", "Farmer", "Engineer", "Teacher"),
        ("", "| For a sovereign Europe", "| Against sanctions", "| Energy, economy, people"),
        ("",),
    ),
    "az_citizen": (
        ("Azərbaycan vətəndaşı", "Baku-based", "Student in Baku", "Journalist",
         "Qarabağ Azərbaycandır"),
        ("", "| 🇦🇿", "| News, politics", "| Follow back", "| Azerbaijani"),
        ("", "", "#Azerbaijan"),
    ),
    "ctl": (
        ("coffee first", "dad, runner", "student", "nurse", "photography", "teacher",
         "gamer", "books & tea", "engineer", "football fan", ""),
        ("", "", "| opinions my own", "| news junkie", "| 🌱", "| he/him", "| she/her"),
        ("", "", "", "📍 home"),
    ),
}

# ---------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------

#: Client names treated as scheduling/automation tools (the ``automation_share`` facts).
AUTOMATION_CLIENTS: tuple[str, ...] = (
    "Hootsuite Inc.", "TweetDeck", "Buffer", "IFTTT", "Twittascope", "dlvr.it",
    "SocialOomph", "Zapier.com", "levantwirenews",
)

OFFICIAL_CLIENTS: tuple[str, ...] = (
    "Twitter Web App", "Twitter Web Client", "Twitter for Android", "Twitter for iPhone",
    "Twitter for iPad", "Twitter Lite",
)
