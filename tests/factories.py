import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from coding.models import Agreement, AgreementParty, Article, Chapter
from coding.roles import sync_groups


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        if not Group.objects.filter(name=extracted).exists():
            # Transactional tests flush the groups the data migration made; make them again.
            sync_groups(Group, Permission)
        self.groups.add(Group.objects.get(name=extracted))
        self.is_staff = extracted in {"supervisor", "admin"}
        self.is_superuser = extracted == "admin"
        self.save()


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Agreement {n}")
    entry_into_force_year = 2010
    membership = Agreement.Membership.BILATERAL

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        if create and extracted:
            AgreementParty.objects.bulk_create(AgreementParty(agreement=self, iso3=p) for p in extracted)


def add_text(agreement, chapters):
    """chapters: [(identifier, name, [(article_identifier, text), ...]), ...]"""
    position = 0
    for chapter_position, (identifier, name, articles) in enumerate(chapters):
        chapter = Chapter.objects.create(
            agreement=agreement, identifier=identifier, name=name, position=chapter_position
        )
        for article_identifier, text in articles:
            Article.objects.create(
                agreement=agreement, chapter=chapter, identifier=article_identifier, text=text, position=position
            )
            position += 1
    agreement.refresh_from_db(fields=["current_text"])  # the first chapter started text version 1
    return agreement
