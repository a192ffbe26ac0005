"""Bulk import of items from a CSV file: a dry run checks every row with the editor's rules
(`_validate_item`, `validate_copies`) and reports every error (row, column, message); the
import creates nothing unless the whole file is clean, and then creates every row in one
transaction, each through `item_create` (a draft, recorded as a creation).

The file: UTF-8 (a BOM is fine), `,` or `;` between values, a header row naming the
columns (`COLUMNS`), at most `MAX_BYTES` and `MAX_ROWS` rows. Topics are names (or slugs)
separated by `|`; the campaign a name (or slug); dates `YYYY-MM-DD HH:MM` in the time
zone of the person importing (a date alone is midnight).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core.errors import DomainError
from portevoix.core.networks import Network
from portevoix.core.tenancy import scoped

from ..models import Campaign, ContentItem, ContentType, Topic
from . import CopyData, ItemData, _validate_item, item_create

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MAX_BYTES = 1024 * 1024
MAX_ROWS = 500
COPY_COLUMNS = {f"copy_{network}": network for network in Network.ALL}
COLUMNS = (
    "title",
    "body",
    "link",
    "language",
    "type",
    "topics",
    "campaign",
    "publish_at",
    "expire_at",
    *COPY_COLUMNS,
)
# Service error keys that are not column names.
_KEY_COLUMNS = {"content_type": "type", "campaign_id": "campaign", "topic_ids": "topics"}
_DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str  # "" for the whole row or file
    message: str


@dataclass
class CsvReport:
    """What the dry run found: the rows it read, as they would be created, and every
    error. Clean when there are rows and no error."""

    items: list[ItemData] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return bool(self.items) and not self.errors


def sample_csv(topics: list[str] | None = None, campaign: str = "") -> str:
    """A small file to start from: the header and two rows, with the given topic names and
    campaign name (the organization's own, so that the sample is clean as it is)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    example = {
        "title": "Nous recrutons un·e développeur·se",
        "body": "Rejoignez **notre équipe** à Lyon.",
        "link": "https://example.org/jobs/42",
        "language": "fr",
        "type": "job_offer",
        "topics": "|".join(topics or []),
        "campaign": campaign,
        "publish_at": "2030-01-15 09:00",
        "expire_at": "2030-02-15 18:00",
        "copy_linkedin": "Nous recrutons ! https://example.org/jobs/42",
        "copy_x": "On recrute #jobs https://example.org/jobs/42",
    }
    writer.writerow([example.get(column, "") for column in COLUMNS])
    event = {
        "title": "Meet us at the Lyon tech fair",
        "link": "https://example.org/events/fair",
        "language": "en",
        "type": "event",
        "copy_linkedin": "See you at the fair! https://example.org/events/fair",
    }
    writer.writerow([event.get(column, "") for column in COLUMNS])
    return out.getvalue()


def refuse_if_too_big(size: int) -> None:
    if size > MAX_BYTES:
        raise DomainError(
            _("The file is too big: at most %(kb)d KB.") % {"kb": MAX_BYTES // 1024},
            field_errors={"file": [_("File too big.")]},
        )


def decode_upload(data: bytes) -> str:
    """The text of an uploaded file, or a clear refusal (too big, not UTF-8)."""
    refuse_if_too_big(len(data))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(
            _(
                "The file is not UTF-8 text. In your spreadsheet, save it as "
                "“CSV UTF-8” and try again."
            ),
            field_errors={"file": [_("Not UTF-8.")]},
        ) from exc


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _parse_date(value: str) -> dt.datetime:
    for fmt in _DATE_FORMATS:
        try:
            naive = dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
        return timezone.make_aware(naive, timezone.get_current_timezone())
    raise ValueError(value)


class _Names:
    """The organization's topics and campaigns by folded name and slug (two queries)."""

    def __init__(self, organization_id: int) -> None:
        self.topics: dict[str, int] = {}
        for pk, name, slug in scoped(Topic, organization_id).values_list("pk", "name", "slug"):
            self.topics[name.casefold()] = pk
            self.topics[slug] = pk
        self.campaigns: dict[str, int] = {}
        for pk, name, slug in scoped(Campaign, organization_id).values_list("pk", "name", "slug"):
            self.campaigns[name.casefold()] = pk
            self.campaigns[slug] = pk


def _types() -> dict[str, str]:
    found = {code: code for code in ContentType.values}
    found.update({str(label).casefold(): code for code, label in ContentType.choices})
    return found


def _row(
    membership: Membership, number: int, values: dict[str, str], names: _Names
) -> tuple[ItemData, list[RowError]]:
    errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    data = ItemData(
        title=values.get("title", ""),
        language=values.get("language", "").lower(),
        body=values.get("body", ""),
        link=values.get("link", ""),
    )
    if kind := values.get("type", ""):
        code = _types().get(kind.casefold())
        if code is None:
            error("type", _("Unknown content type."))
        else:
            data.content_type = code
    for name in filter(None, (t.strip() for t in values.get("topics", "").split("|"))):
        topic_id = names.topics.get(name.casefold())
        if topic_id is None:
            error("topics", _("Unknown topic “%(name)s”.") % {"name": name})
        elif topic_id not in data.topic_ids:
            data.topic_ids.append(topic_id)
    if campaign := values.get("campaign", ""):
        data.campaign_id = names.campaigns.get(campaign.casefold())
        if data.campaign_id is None:
            error("campaign", _("Unknown campaign “%(name)s”.") % {"name": campaign})
    for column in ("publish_at", "expire_at"):
        if raw := values.get(column, ""):
            try:
                setattr(data, column, _parse_date(raw))
            except ValueError:
                error(column, _("Write the date as YYYY-MM-DD HH:MM."))
    origins = []
    for column, network in COPY_COLUMNS.items():
        if (text := values.get(column, "")).strip():
            data.copies.append(CopyData(network, text))
            origins.append(column)
    for key, messages in _validate_item(membership, data).items():
        column = _KEY_COLUMNS.get(key, key)
        if key.startswith("copies."):
            index = int(key.split(".")[1])
            column = origins[index] if index < len(origins) else ""
        if any(e.column == column for e in errors):
            continue  # already said more precisely
        errors.extend(RowError(number, column, message) for message in messages)
    return data, errors


def csv_check(*, membership: Membership, text: str) -> CsvReport:
    """The dry run: read and check every row, create nothing."""
    require(membership, "content.create")
    refuse_if_too_big(len(text.encode()))
    report = CsvReport()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = [column.strip().lower() for column in next(reader, [])]
        if not any(header):
            report.errors.append(RowError(1, "", _("The file is empty.")))
            return report
        for column in header:
            if column and column not in COLUMNS:
                report.errors.append(RowError(1, column, _("Unknown column.")))
        if "title" not in header:
            report.errors.append(RowError(1, "title", _("The column “title” is required.")))
        if "language" not in header:
            report.errors.append(RowError(1, "language", _("The column “language” is required.")))
        names = _Names(membership.organization_id)
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if len(report.items) >= MAX_ROWS:
                report.errors.append(
                    RowError(number, "", _("At most %(n)d rows per file.") % {"n": MAX_ROWS})
                )
                break
            if len(cells) > len(header):
                report.errors.append(RowError(number, "", _("More values than columns.")))
            values = {
                column: cell.strip() if column != "body" else cell
                for column, cell in zip(header, cells, strict=False)
                if column in COLUMNS
            }
            data, errors = _row(membership, number, values, names)
            report.items.append(data)
            report.errors.extend(errors)
    except csv.Error as exc:
        report.errors.append(RowError(reader.line_num, "", _("Unreadable CSV: %(e)s") % {"e": exc}))
    if not report.items and not report.errors:
        report.errors.append(RowError(2, "", _("The file has no row to import.")))
    return report


@transaction.atomic
def csv_import(*, membership: Membership, text: str) -> list[ContentItem]:
    """Create every row as a draft, all or nothing: refused (`DomainError`) if the dry run
    finds any error."""
    report = csv_check(membership=membership, text=text)
    if not report.clean:
        raise DomainError(_("The file has errors: nothing was imported."))
    return [item_create(membership=membership, data=data) for data in report.items]
