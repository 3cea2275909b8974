"""Code links and venue notes found in a paper's abstract, arXiv comment and journal reference."""

from __future__ import annotations

import re

from ..render.markdown import shorten

# A host we link to. Without a scheme, the look-behind rejects other sub-domains (org.github.io pages are not code)
# and ssh remotes such as git@github.com:org/repo; with one, text glued in front ("githubhttps://...") is tolerated.
CODE_URL = re.compile(
    r"(?:https?://|(?<![\w.@/-]))(?:www\.)?(?P<host>gist\.github\.com|github\.com|gitlab\.com|huggingface\.co|hf\.co)"
    r"/(?P<path>[\w.-]+(?:/[\w.-]+)*)",
    re.IGNORECASE | re.ASCII,
)
OWNER = re.compile(r"^[A-Za-z0-9][\w.-]*$", re.ASCII)
# First path segments that are site pages, not owners.
GITHUB_RESERVED = frozenset(
    "about apps collections customer-stories enterprise events explore features login marketplace new notifications "
    "orgs pricing pulls search security settings site sponsors team topics trending".split()
)
GITLAB_RESERVED = frozenset("admin dashboard explore groups help projects search users".split())
HF_RESERVED = frozenset(
    "blog changelog chat docs enterprise hardware inference-endpoints join learn login models new notifications "
    "organizations papers posts pricing privacy search settings support tasks terms-of-service".split()
)
# GitLab allows nested groups; these segments end the project path (GitLab puts "/-/" before tree, blob, issues...).
GITLAB_PATH_END = frozenset(("-", "tree", "blob", "issues", "merge_requests", "wikis"))
HF_KINDS = ("datasets", "spaces", "collections")


def extract_code_urls(summary: str, comment: str) -> tuple[str, ...]:
    """Return the GitHub, GitLab and Hugging Face URLs in a comment then an abstract, normalised and deduplicated."""
    urls: dict[str, str] = {}
    for text in (comment, summary):
        # Abstracts written in LaTeX escape underscores: github.com/org/my\_repo is github.com/org/my_repo.
        for match in CODE_URL.finditer((text or "").replace("\\_", "_")):
            segments = [clean_segment(segment) for segment in match["path"].split("/")]
            url = normalise_code_url(match["host"].lower(), segments)
            if url:
                urls.setdefault(url.lower(), url)
    return tuple(urls.values())


def clean_segment(segment: str) -> str:
    """Return a path segment without trailing dots (sentence ends) or a .git suffix."""
    segment = segment.rstrip(".")
    if segment.lower().endswith(".git"):
        segment = segment[: -len(".git")].rstrip(".")
    return segment


def normalise_code_url(host: str, segments: list[str]) -> str:
    """Return the https URL of the repository, owner or gist a host and path point to; "" for site pages."""
    if not OWNER.match(segments[0]):
        return ""
    if host == "gitlab.com":
        return normalise_gitlab(segments)
    if host in ("huggingface.co", "hf.co"):
        return normalise_hugging_face(segments)
    if host == "github.com" and segments[0].lower() in GITHUB_RESERVED:
        return ""
    # A repository (org/repo, deeper paths cut off), a gist (user/id) or an organisation or user page.
    kept = segments[:2] if len(segments) > 1 and segments[1] else segments[:1]
    return f"https://{host}/{'/'.join(kept)}"


def normalise_gitlab(segments: list[str]) -> str:
    """Return the URL of a GitLab project (groups may nest) or group, or "" for site pages."""
    if segments[0].lower() in GITLAB_RESERVED:
        return ""
    project = []
    for segment in segments:
        if segment in GITLAB_PATH_END or not segment:
            break
        project.append(segment)
    return f"https://gitlab.com/{'/'.join(project)}"


def normalise_hugging_face(segments: list[str]) -> str:
    """Return the URL of a Hugging Face model, dataset, space, collection or owner, or "" for site pages."""
    kind = segments[0].lower()
    if kind in HF_KINDS:
        # Legacy canonical datasets have no owner (huggingface.co/datasets/gsm8k); the other kinds always have one.
        name = [segment for segment in segments[1:3] if segment]
        if len(name) == 2 or (kind == "datasets" and len(name) == 1 and len(segments) == 2):
            return f"https://huggingface.co/{kind}/{'/'.join(name)}"
        return ""
    if kind in HF_RESERVED:
        return ""
    return f"https://huggingface.co/{'/'.join(segments[:2] if len(segments) > 1 and segments[1] else segments[:1])}"


# Venues readers know by a short name: (short name, pattern). Longer names come before names they contain.
VENUES = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("IEEE EuroS&P", r"\bEuro\s?S\s?&\s?P\b|\bEuropean Symposium on Security and Privacy\b"),
        ("IEEE S&P", r"(?<!Euro)(?<!Euro )\bS\s?&\s?P\b|\bSymposium on Security and Privacy\b|\bIEEE Oakland\b"),
        ("USENIX Security", r"\bUSENIX Security\b|\bUSENIX Sec\b"),
        ("ACM CCS", r"\b(?:ACM )?CCS\b|\bConference on Computer and Communications Security\b"),
        ("NDSS", r"\bNDSS\b"), ("IEEE SaTML", r"\bSaTML\b"), ("AsiaCCS", r"\bAsia\s?CCS\b"),
        ("NeurIPS", r"\bNeurIPS\b|\bNIPS\b|\bNeural Information Processing Systems\b"),
        ("ICLR", r"\bICLR\b|\bInternational Conference on Learning Representations\b"),
        ("ICML", r"\bICML\b"), ("COLM", r"\bCOLM\b"),
        ("NAACL", r"\bNAACL\b"), ("EACL", r"\bEACL\b"), ("AACL", r"\bAACL\b"), ("EMNLP", r"\bEMNLP\b"),
        ("ACL", r"\bACL\b"), ("COLING", r"\bCOLING\b"), ("TACL", r"\bTACL\b"), ("AAAI", r"\bAAAI\b"),
        ("IJCAI", r"\bIJCAI\b"), ("CVPR", r"\bCVPR\b"), ("ICCV", r"\bICCV\b"), ("ECCV", r"\bECCV\b"),
        ("WACV", r"\bWACV\b"), ("ACM MM", r"\bACM MM\b|\bACM Multimedia\b"), ("KDD", r"\b(?:SIG)?KDD\b"),
        ("WWW", r"\bWWW\b|\bThe ?Web ?Conf\b|\bWeb Conference\b"), ("SIGIR", r"\bSIGIR\b"), ("CIKM", r"\bCIKM\b"),
        ("WSDM", r"\bWSDM\b"), ("AISTATS", r"\bAISTATS\b"), ("UAI", r"\bUAI\b"), ("TMLR", r"\bTMLR\b"),
        ("JMLR", r"\bJMLR\b"), ("IEEE TPAMI", r"\bT-?PAMI\b"), ("IEEE TIFS", r"\bTIFS\b"), ("IEEE TDSC", r"\bTDSC\b"),
        ("FAccT", r"\bFAccT\b"), ("AIES", r"\bAIES\b"), ("ICSE", r"\bICSE\b"), ("FSE", r"\b(?:ESEC/)?FSE\b"),
        ("ASE", r"\bASE\b"), ("ISSTA", r"\bISSTA\b"), ("ICRA", r"\bICRA\b"), ("IROS", r"\bIROS\b"),
        ("CoRL", r"\bCoRL\b"), ("ICASSP", r"\bICASSP\b"), ("Interspeech", r"\bInterspeech\b"),
    )
)
YEAR_AFTER_VENUE = re.compile(r"^[\s'’(]*(?:(?P<full>(?:19|20)\d\d)|['’](?P<short>\d\d))\b")
ANY_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# A clause with one of these words is about a submission, not an acceptance.
NOT_ACCEPTED = re.compile(
    r"\b(?:(?:under|in) review|submitted|submission|consideration|rejected|withdrawn)\b", re.IGNORECASE
)
ACCEPTANCE_CUE = re.compile(
    r"\b(?:accepted (?:(?:as|for) [\w\s-]{0,30}?)?(?:to appear |to be (?:presented|published) )?(?:at|to|by|in|for)"
    r"|to appear (?:in|at)|appears? in|published (?:in|at|by)|presented at|camera[- ]ready (?:version )?(?:for|of)"
    r"|in (?:the )?proceedings of)\s+(?:the\s+)?",
    re.IGNORECASE,
)
CLAUSE_BREAK = re.compile(r"[;\n]|\.\s+|\.$")
URL_LIKE = re.compile(r"\S+://\S+|\b[\w-]+(?:\.[\w-]+)+/\S*")
# An acronym and year in parentheses after a full conference name: "(FOO 2025)", "(FOO '25)".
ACRONYM_WITH_YEAR = re.compile(r"\((?P<venue>[A-Z][\w&-]*(?: [A-Z][\w&-]*)? ?(?:(?:19|20)\d\d|['’]\d\d))\)")


def extract_venue(comment: str, journal_ref: str) -> str:
    """Return a short venue such as "ICLR 2026" from an acceptance note or journal reference; "" when there is none."""
    journal_ref = " ".join((journal_ref or "").split())
    known = known_venue(journal_ref, year_anywhere=True)
    if known:
        return decorate_venue(known, journal_ref)
    for raw_clause in CLAUSE_BREAK.split(URL_LIKE.sub(" ", comment or "")):
        clause = " ".join(raw_clause.split())
        if not clause or NOT_ACCEPTED.search(clause):
            continue
        cue = ACCEPTANCE_CUE.search(clause)
        known = known_venue(clause, year_anywhere=cue is not None)
        if known and (cue or known[-1].isdigit()):
            return decorate_venue(known, clause)
        if cue:
            named = venue_after_cue(clause[cue.end() :])
            if named:
                return mark_award(named, clause)
    return journal_name(journal_ref)


def journal_name(journal_ref: str) -> str:
    """Return the name part of a journal reference (before volume and pages) with its year, at most 80 characters."""
    name = re.sub(r"\s+(?:vol\w*\.?\s*)?\d[\d():\s-]*$", "", journal_ref.split(",", maxsplit=1)[0])
    name = re.sub(r"^In:\s*", "", name).strip()
    year = ANY_YEAR.search(journal_ref)
    if name and year and year[0] not in name:
        name = f"{name} {year[0]}"
    return shorten(name, 80)


def known_venue(text: str, year_anywhere: bool) -> str:
    """Return "NAME YEAR" (or "NAME") for the earliest known venue; the year must follow it unless year_anywhere."""
    found = [
        (match.start(), order, name, match)
        for order, (name, pattern) in enumerate(VENUES)
        if (match := pattern.search(text))
    ]
    if not found:
        return ""
    _, _, name, match = min(found, key=lambda item: item[:2])
    year = YEAR_AFTER_VENUE.match(text[match.end() :])
    if year:
        return f"{name} {year['full'] or '20' + year['short']}"
    anywhere = ANY_YEAR.search(text) if year_anywhere else None
    return f"{name} {anywhere[0]}" if anywhere else name


def decorate_venue(venue: str, clause: str) -> str:
    """Return the venue marked as Findings, a workshop or a track, and as an oral or spotlight, as the clause says."""
    if re.search(r"\bfindings\b", clause, re.IGNORECASE):
        venue = f"Findings of {venue}"
    if re.search(r"\bworkshops?\b", clause, re.IGNORECASE):
        venue = f"{venue} Workshop"
    elif re.search(r"\bdatasets? (?:and|&) benchmarks?\b", clause, re.IGNORECASE):
        venue = f"{venue} Datasets and Benchmarks"
    return mark_award(venue, clause)


def mark_award(venue: str, clause: str) -> str:
    """Return the venue with "(Oral)" or "(Spotlight)" appended when the clause says so."""
    for award in ("Oral", "Spotlight"):
        if re.search(rf"\b{award}\b", clause, re.IGNORECASE) and award not in venue:
            return f"{venue} ({award})"
    return venue


def venue_after_cue(rest: str) -> str:
    """Return an unlisted venue named after an acceptance cue, up to its year; "" when it is not a short name."""
    acronym = ACRONYM_WITH_YEAR.search(rest)
    if acronym:
        return re.sub(r"\s?['’](\d\d)$", r" 20\1", acronym["venue"])
    year = ANY_YEAR.search(rest)
    phrase = re.split(r"[(,:]", rest[: year.end()] if year else rest)[0].strip(" .;-")
    if year and year[0] not in phrase:
        phrase = f"{phrase} {year[0]}"
    return phrase if phrase[:1].isupper() and len(phrase.split()) <= 10 and len(phrase) <= 80 else ""
