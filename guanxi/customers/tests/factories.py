"""factory_boy factories for customers, contacts, interactions and tags (STYLE.md rule 14).

`create()` goes through the services, so every row has its search tokens,
pinyin, sort key and audit entry exactly as a real write would leave them.
Child factories take their owner/team from their parent: a contact or an
interaction is written by the parent customer's owner unless `actor=` is given.
`build()` gives unsaved instances (no DB) for pure-Python tests.

    customer = CustomerFactory(owner=org.east_rep, name="张三", phones=["13812345678"])
    contact = ContactFactory(customer=customer)
    InteractionFactory(customer=customer, next_follow_up_on=today)
    CustomerFactory(owner=org.east_rep, tags=[TagFactory(actor=org.admin)])
"""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth import get_user_model

from guanxi.customers.models import (
    Contact,
    Customer,
    CustomerKind,
    Interaction,
    InteractionKind,
    Tag,
)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


def _chinese_name(n: int) -> str:
    return _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n // len(_SURNAMES)) % len(_GIVEN)]


def _superuser_actor() -> Any:
    """An actor allowed everything, for tags and parentless customers."""
    user_model = get_user_model()
    user = user_model.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
    if user is None:
        user = user_model.objects.create_superuser(
            username="factory-admin", password="factory-admin-pw-2026"
        )
    return user


def _pop_actor(kwargs: dict[str, Any], default: Any) -> Any:
    actor = kwargs.pop("actor", None)
    return actor if actor is not None else default


class CustomerFactory(factory.django.DjangoModelFactory):
    """A live customer owned by `owner` (default: a superuser), created by the owner."""

    class Meta:
        model = Customer

    kind = CustomerKind.COMPANY
    name = factory.Sequence(lambda n: f"{_chinese_name(n)}客户{n}")
    owner = None
    phones: Any = factory.LazyFunction(list)
    emails: Any = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class: type[Customer], *args: Any, **kwargs: Any) -> Customer:
        from guanxi.customers.services import customer_create

        owner = kwargs.pop("owner", None) or _superuser_actor()
        actor = _pop_actor(kwargs, owner)
        tags = kwargs.pop("tags", None)
        return customer_create(actor=actor, owner=owner, tags=tags, **kwargs)

    @classmethod
    def _build(cls, model_class: type[Customer], *args: Any, **kwargs: Any) -> Customer:
        from guanxi.customers.services.customers import customer_search_text
        from guanxi.platform.text import pinyin_of, sort_key_of

        kwargs.pop("actor", None)
        kwargs.pop("tags", None)
        customer = model_class(*args, **kwargs)
        customer.name_pinyin = pinyin_of(customer.name)
        customer.sort_name = sort_key_of(customer.name)
        customer.search_text = customer_search_text(customer)
        return customer


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact of `customer`, written by the customer's owner unless `actor=` is given."""

    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"{_chinese_name(n + 7)}{n}")
    title = "经理"
    phones: Any = factory.LazyFunction(list)
    emails: Any = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class: type[Contact], *args: Any, **kwargs: Any) -> Contact:
        from guanxi.customers.services import contact_create

        customer = kwargs.pop("customer")
        actor = _pop_actor(kwargs, customer.owner or _superuser_actor())
        return contact_create(actor=actor, customer=customer, **kwargs)

    @classmethod
    def _build(cls, model_class: type[Contact], *args: Any, **kwargs: Any) -> Contact:
        from guanxi.customers.services.contacts import contact_search_text
        from guanxi.platform.text import pinyin_of, sort_key_of

        kwargs.pop("actor", None)
        contact = model_class(*args, **kwargs)
        contact.name_pinyin = pinyin_of(contact.name)
        contact.sort_name = sort_key_of(contact.name)
        contact.search_text = contact_search_text(contact)
        return contact


class InteractionFactory(factory.django.DjangoModelFactory):
    """A follow-up on `customer`, authored by the customer's owner unless `actor=` is given."""

    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    kind = InteractionKind.CALL
    content = factory.Sequence(lambda n: f"电话沟通第{n}次")

    @classmethod
    def _create(cls, model_class: type[Interaction], *args: Any, **kwargs: Any) -> Interaction:
        from guanxi.customers.services import interaction_create

        customer = kwargs.pop("customer")
        actor = _pop_actor(kwargs, customer.owner or _superuser_actor())
        kind = kwargs.pop("kind")
        content = kwargs.pop("content")
        return interaction_create(
            actor=actor, customer=customer, kind=kind, content=content, **kwargs
        )

    @classmethod
    def _build(cls, model_class: type[Interaction], *args: Any, **kwargs: Any) -> Interaction:
        from django.utils import timezone

        kwargs.pop("actor", None)
        kwargs.setdefault("occurred_at", timezone.now())
        return model_class(*args, **kwargs)


class TagFactory(factory.django.DjangoModelFactory):
    """A tag, created by `actor` (default: a superuser; needs customers.manage_tag)."""

    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"标签{n}")
    color = "#206bc4"
    group = None

    @classmethod
    def _create(cls, model_class: type[Tag], *args: Any, **kwargs: Any) -> Tag:
        from guanxi.customers.services import tag_create

        actor = _pop_actor(kwargs, None) or _superuser_actor()
        return tag_create(actor=actor, **kwargs)

    @classmethod
    def _build(cls, model_class: type[Tag], *args: Any, **kwargs: Any) -> Tag:
        kwargs.pop("actor", None)
        return model_class(*args, **kwargs)
