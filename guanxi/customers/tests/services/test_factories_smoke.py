from guanxi.customers.tests.factories import (
    ContactFactory,
    CustomerFactory,
    InteractionFactory,
    TagFactory,
)


def test_factories_make_valid_rows(org):
    tag = TagFactory()
    customer = CustomerFactory(
        owner=org.east_rep, name="张三", phones=["138 1234 5678"], tags=[tag]
    )
    assert customer.team == org.east
    assert "zs" in customer.search_text.split()
    assert customer.phones == ["+8613812345678"]
    contact = ContactFactory(customer=customer)
    assert contact.is_primary
    interaction = InteractionFactory(customer=customer)
    assert interaction.author == org.east_rep
    customer.refresh_from_db()
    assert customer.last_interaction_at == interaction.occurred_at
    assert list(customer.tags.all()) == [tag]
    built = CustomerFactory.build(name="欧阳锋")
    assert built.pk is None and "oyf" in built.search_text.split()
    assert CustomerFactory().owner.is_superuser


def test_build_needs_no_database():
    contact = ContactFactory.build(name="欧阳娜娜", phones=["+8613900001111"])
    assert contact.pk is None and contact.customer.pk is None
    assert {"oynn", "1111"} <= set(contact.search_text.split())
    interaction = InteractionFactory.build()
    assert interaction.pk is None and interaction.occurred_at is not None
    assert TagFactory.build(name="红").pk is None
