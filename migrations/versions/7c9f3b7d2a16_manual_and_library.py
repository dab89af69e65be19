"""manual and library

Revision ID: 7c9f3b7d2a16
Revises: 6a4d2e8c1b06
Create Date: 2026-11-23 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import ecommunity.database


# revision identifiers, used by Alembic.
revision = '7c9f3b7d2a16'
down_revision = '6a4d2e8c1b06'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('manual_part',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_fr', sa.String(length=200), nullable=False),
    sa.Column('title_es', sa.String(length=200), nullable=False),
    sa.Column('updated_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("slug <> '' AND length(slug) <= 80", name=op.f('ck_manual_part_slug_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_part')),
    sa.UniqueConstraint('slug', name=op.f('uq_manual_part_slug'))
    )
    op.create_table('library_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('instrument', sa.String(length=40), nullable=True),
    sa.Column('topic', sa.String(length=40), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('members_only', sa.Boolean(), nullable=False),
    sa.Column('original_filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=True),
    sa.Column('has_text', sa.Boolean(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("content_type IN ('application/pdf', 'text/plain', 'text/markdown')", name=op.f('ck_library_document_content_type_known')),
    sa.CheckConstraint("kind IN ('training-kit', 'guideline', 'cop-document')", name=op.f('ck_library_document_kind_known')),
    sa.CheckConstraint("language IN ('en', 'fr', 'es')", name=op.f('ck_library_document_language_known')),
    sa.CheckConstraint('size >= 0', name=op.f('ck_library_document_size_not_negative')),
    sa.CheckConstraint('year IS NULL OR (year >= 1970 AND year <= 2200)', name=op.f('ck_library_document_year_plausible')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_library_document_uploaded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_document')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_library_document_stored_name'))
    )
    with op.batch_alter_table('library_document', schema=None) as batch_op:
        batch_op.create_index('ix_library_document_instrument', ['instrument'], unique=False)
        batch_op.create_index('ix_library_document_kind', ['kind'], unique=False)
        batch_op.create_index('ix_library_document_language', ['language'], unique=False)
        batch_op.create_index('ix_library_document_listing', ['members_only', 'created_at'], unique=False)
        batch_op.create_index('ix_library_document_topic', ['topic'], unique=False)
        batch_op.create_index('ix_library_document_updated_at', ['updated_at'], unique=False)
        batch_op.create_index('ix_library_document_year', ['year'], unique=False)

    op.create_table('manual_chapter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_fr', sa.String(length=200), nullable=False),
    sa.Column('title_es', sa.String(length=200), nullable=False),
    sa.Column('summary_en', sa.Text(), nullable=False),
    sa.Column('summary_fr', sa.Text(), nullable=False),
    sa.Column('summary_es', sa.Text(), nullable=False),
    sa.Column('updated_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("slug <> '' AND length(slug) <= 80", name=op.f('ck_manual_chapter_slug_valid')),
    sa.ForeignKeyConstraint(['part_id'], ['manual_part.id'], name=op.f('fk_manual_chapter_part_id_manual_part')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_chapter')),
    sa.UniqueConstraint('slug', name=op.f('uq_manual_chapter_slug'))
    )
    with op.batch_alter_table('manual_chapter', schema=None) as batch_op:
        batch_op.create_index('ix_manual_chapter_part_position', ['part_id', 'position'], unique=False)

    op.create_table('manual_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chapter_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("slug <> '' AND length(slug) <= 80", name=op.f('ck_manual_section_slug_valid')),
    sa.ForeignKeyConstraint(['chapter_id'], ['manual_chapter.id'], name=op.f('fk_manual_section_chapter_id_manual_chapter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_section')),
    sa.UniqueConstraint('chapter_id', 'slug', name='uq_manual_section_chapter_slug')
    )
    with op.batch_alter_table('manual_section', schema=None) as batch_op:
        batch_op.create_index('ix_manual_section_chapter_position', ['chapter_id', 'position'], unique=False)

    op.create_table('manual_section_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('imported', sa.Boolean(), nullable=False),
    sa.Column('restored_from', sa.Integer(), nullable=True),
    sa.Column('created_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("language IN ('en', 'fr', 'es')", name=op.f('ck_manual_section_revision_language_known')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_manual_section_revision_number_positive')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_manual_section_revision_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['section_id'], ['manual_section.id'], name=op.f('fk_manual_section_revision_section_id_manual_section'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_section_revision')),
    sa.UniqueConstraint('section_id', 'language', 'number', name='uq_manual_section_revision_number')
    )
    op.create_table('manual_section_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('toc', sa.JSON(), nullable=False),
    sa.Column('revision_count', sa.Integer(), nullable=False),
    sa.Column('updated_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("language IN ('en', 'fr', 'es')", name=op.f('ck_manual_section_version_language_known')),
    sa.CheckConstraint("title <> ''", name=op.f('ck_manual_section_version_has_title')),
    sa.CheckConstraint('revision_count >= 1', name=op.f('ck_manual_section_version_has_revision')),
    sa.ForeignKeyConstraint(['section_id'], ['manual_section.id'], name=op.f('fk_manual_section_version_section_id_manual_section'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_manual_section_version_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_section_version')),
    sa.UniqueConstraint('section_id', 'language', name='uq_manual_section_version_section_language')
    )


def downgrade():
    op.drop_table('manual_section_version')
    op.drop_table('manual_section_revision')
    with op.batch_alter_table('manual_section', schema=None) as batch_op:
        batch_op.drop_index('ix_manual_section_chapter_position')

    op.drop_table('manual_section')
    with op.batch_alter_table('manual_chapter', schema=None) as batch_op:
        batch_op.drop_index('ix_manual_chapter_part_position')

    op.drop_table('manual_chapter')
    with op.batch_alter_table('library_document', schema=None) as batch_op:
        batch_op.drop_index('ix_library_document_year')
        batch_op.drop_index('ix_library_document_updated_at')
        batch_op.drop_index('ix_library_document_topic')
        batch_op.drop_index('ix_library_document_listing')
        batch_op.drop_index('ix_library_document_language')
        batch_op.drop_index('ix_library_document_kind')
        batch_op.drop_index('ix_library_document_instrument')

    op.drop_table('library_document')
    op.drop_table('manual_part')
