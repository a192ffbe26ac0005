"""Members and teams as SCIM resources (scim2-models), and the discovery documents.

Requests are parsed with the library's full core User (with the enterprise extension), so an
identity provider that sends attributes we do not keep (phone numbers, addresses...) is not
refused: those are ignored. The published schemas list only the attributes we keep.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import EmailStr
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Email,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    GroupMember,
    GroupMembership,
    Meta,
    Mutability,
    Name,
    Patch,
    Required,
    Resource,
    ResourceType,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
    User,
)

from .models import ScimGroup, ScimUser

FullUser = User[EnterpriseUser]
MAX_COUNT = 200
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


class PublishedEmail(Email):
    value: Annotated[EmailStr | None, Required.true] = None


class PublishedUser(Resource[Any]):
    """The User attributes Portevoix keeps, as /Schemas publishes them."""

    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    name: Name | None = None
    display_name: str | None = None
    title: str | None = None
    active: bool | None = None
    # Required here: a member's account needs an email (the primary one, else the first).
    emails: Annotated[list[PublishedEmail] | None, Required.true] = None
    groups: Annotated[list[GroupMembership] | None, Mutability.read_only] = None


class PublishedGroup(Resource[Any]):
    __schema__ = URN(GROUP_SCHEMA)

    display_name: Annotated[str | None, Required.true] = None
    members: list[GroupMember] | None = None


def _email(data: dict[str, Any]) -> Email:
    fields = {k: v for k, v in data.items() if k in {"value", "type", "primary", "display"}}
    if "type" in fields:
        try:
            fields["type"] = Email.Type(fields["type"])
        except ValueError:
            del fields["type"]
    return Email.model_construct(**fields)


def user_resource(membership: Any, link: ScimUser | None, base: str) -> FullUser:
    user = membership.user
    # What the directory described is given back as it was sent; a member it never
    # described shows their account's name.
    if link is not None:
        name = Name.model_validate(link.name) if link.name else None
        display_name = link.display_name or None
    else:
        name = Name(formatted=user.full_name) if user.full_name else None
        display_name = user.full_name or None
    # Built without validation: an account's email is taken as it is (a domain that the
    # strict email validator refuses, such as a .test one, must not break the answer).
    emails = [_email(e) for e in link.emails] if link and link.emails else []
    if not any(str(e.value).lower() == user.email.lower() for e in emails):
        emails = [_email({"value": user.email, "primary": True})]
    modified = max(filter(None, [membership.joined_at, link.updated_at if link else None]))
    return FullUser(
        id=str(membership.pk),
        external_id=(link.external_id or None) if link else None,
        user_name=(link.user_name if link else "") or user.email,
        name=name,
        display_name=display_name,
        title=membership.title or None,
        active=membership.is_active,
        emails=emails,
        groups=[
            GroupMembership.model_validate(
                {"value": str(team.pk), "display": team.name, "type": "direct"}
            )
            for team in membership.teams.all()
        ]
        or None,
        meta=Meta(
            resource_type="User",
            created=membership.joined_at,
            last_modified=modified,
            location=f"{base}/Users/{membership.pk}",
        ),
    )


def group_resource(
    team: Any, link: ScimGroup | None, members: list[tuple[int, str]], base: str
) -> Group:
    return Group(
        id=str(team.pk),
        external_id=(link.external_id or None) if link else None,
        display_name=team.name,
        members=[
            GroupMember.model_validate(
                {"value": str(pk), "$ref": f"{base}/Users/{pk}", "type": "User", "display": display}
            )
            for pk, display in members
        ]
        or None,
        meta=Meta(
            resource_type="Group",
            created=link.created_at if link else None,
            last_modified=link.updated_at if link else None,
            location=f"{base}/Groups/{team.pk}",
        ),
    )


def primary_email(resource: FullUser) -> str:
    """The account's email: the primary email, else the first, else a userName that is one."""
    emails = [e for e in resource.emails or [] if e.value]
    primary = next((e for e in emails if e.primary), emails[0] if emails else None)
    if primary is not None:
        return str(primary.value)
    return resource.user_name if resource.user_name and "@" in resource.user_name else ""


def full_name(resource: FullUser) -> str:
    name = resource.name
    if name is not None:
        if name.formatted:
            return name.formatted
        parts = [name.given_name, name.middle_name, name.family_name]
        joined = " ".join(p for p in parts if p)
        if joined:
            return joined
    return resource.display_name or ""


def dumped_name(resource: FullUser) -> dict[str, Any]:
    return resource.name.model_dump(exclude_none=True, by_alias=True) if resource.name else {}


def dumped_emails(resource: FullUser) -> list[dict[str, Any]]:
    return [
        e.model_dump(exclude_none=True, by_alias=True, mode="json") for e in resource.emails or []
    ]


def member_ids(group: Group) -> list[str]:
    return [m.value for m in group.members or [] if m.value]


# --- Discovery (RFC 7643 §5-7)


def service_provider_config(base: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_COUNT),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="A directory token created by an administrator in Portevoix's "
                "settings (Settings, Directory provisioning).",
                primary=True,
            )
        ],
        meta=Meta(resource_type="ServiceProviderConfig", location=f"{base}/ServiceProviderConfig"),
    )


def resource_types(base: str) -> list[ResourceType]:
    return [
        ResourceType.model_validate(
            {
                "id": name,
                "name": name,
                "endpoint": f"/{name}s",
                "description": description,
                "schema": schema,
                "meta": {
                    "resourceType": "ResourceType",
                    "location": f"{base}/ResourceTypes/{name}",
                },
            }
        )
        for name, description, schema in (
            ("User", "A member of the organization", USER_SCHEMA),
            ("Group", "A team of the organization", GROUP_SCHEMA),
        )
    ]


def schemas(base: str) -> list[Any]:
    found = []
    for model, name in ((PublishedUser, "User"), (PublishedGroup, "Group")):
        schema = model.to_schema()
        schema.name = name
        schema.description = name
        schema.meta = Meta(resource_type="Schema", location=f"{base}/Schemas/{schema.id}")
        found.append(schema)
    return found
