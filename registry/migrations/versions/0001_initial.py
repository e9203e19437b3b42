"""The registry's tables: register, change log, operations, operators, terminals, access log.

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_log',
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('operator_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('my_number_shown', sa.Boolean(), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('terminal_id', 'seq')
    )
    op.create_table('change_residents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('change_residents', schema=None) as batch_op:
        batch_op.create_index('ix_change_residents_resident', ['resident_id', 'change_seq'], unique=False)
        batch_op.create_index('ix_change_residents_seq', ['change_seq'], unique=False)

    op.create_table('change_scope',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('ward_code', sa.String(length=6), nullable=False),
    sa.Column('household_id', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('change_scope', schema=None) as batch_op:
        batch_op.create_index('ix_change_scope_household', ['household_id', 'change_seq'], unique=False)
        batch_op.create_index('ix_change_scope_ward', ['ward_code', 'change_seq'], unique=False)

    op.create_table('changes',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('change_id', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=8), nullable=False),
    sa.Column('occurred_on', sa.String(length=16), nullable=False),
    sa.Column('notified_on', sa.String(length=10), nullable=False),
    sa.Column('cancels', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('households', sa.Text(), nullable=False),
    sa.Column('operation_id', sa.String(length=40), nullable=False),
    sa.Column('operator_id', sa.String(length=64), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('change_id')
    )
    op.create_table('counter',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('households',
    sa.Column('household_id', sa.String(length=32), nullable=False),
    sa.Column('member_order', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('household_id')
    )
    op.create_table('nonces',
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('seen_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('nonce')
    )
    with op.batch_alter_table('nonces', schema=None) as batch_op:
        batch_op.create_index('ix_nonces_seen', ['seen_at'], unique=False)

    op.create_table('operation_residents',
    sa.Column('operation_id', sa.String(length=40), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('operation_id', 'resident_id')
    )
    with op.batch_alter_table('operation_residents', schema=None) as batch_op:
        batch_op.create_index('ix_operation_residents_resident', ['resident_id'], unique=False)

    op.create_table('operations',
    sa.Column('operation_id', sa.String(length=40), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('operator_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('received_at', sa.Float(), nullable=False),
    sa.Column('decided_at', sa.Float(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('operation_id')
    )
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.create_index('ix_operations_state', ['state', 'received_at'], unique=False)
        batch_op.create_index('ix_operations_terminal', ['terminal_id', 'received_at'], unique=False)

    op.create_table('operators',
    sa.Column('operator_id', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('ward_code', sa.String(length=6), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.Float(), nullable=False),
    sa.Column('password_changed_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('operator_id')
    )
    op.create_table('residents',
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('household_id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('ward_code', sa.String(length=6), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('resident_id')
    )
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.create_index('ix_registry_residents_household', ['household_id'], unique=False)
        batch_op.create_index('ix_registry_residents_ward', ['ward_code', 'resident_id'], unique=False)

    op.create_table('sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('operator_id', sa.String(length=64), nullable=False),
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('token_hash')
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('terminals',
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ward_code', sa.String(length=6), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=True),
    sa.Column('certificate', sa.Text(), nullable=True),
    sa.Column('enrol_code_hash', sa.String(length=64), nullable=True),
    sa.Column('enrol_expires_at', sa.Float(), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('scope_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('last_seen_at', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('terminal_id')
    )
    op.create_table('worklists',
    sa.Column('terminal_id', sa.String(length=64), nullable=False),
    sa.Column('household_id', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('terminal_id', 'household_id')
    )


def downgrade() -> None:
    op.drop_table('worklists')
    op.drop_table('terminals')
    op.drop_table('settings')
    op.drop_table('sessions')
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.drop_index('ix_registry_residents_ward')
        batch_op.drop_index('ix_registry_residents_household')

    op.drop_table('residents')
    op.drop_table('operators')
    with op.batch_alter_table('operations', schema=None) as batch_op:
        batch_op.drop_index('ix_operations_terminal')
        batch_op.drop_index('ix_operations_state')

    op.drop_table('operations')
    with op.batch_alter_table('operation_residents', schema=None) as batch_op:
        batch_op.drop_index('ix_operation_residents_resident')

    op.drop_table('operation_residents')
    with op.batch_alter_table('nonces', schema=None) as batch_op:
        batch_op.drop_index('ix_nonces_seen')

    op.drop_table('nonces')
    op.drop_table('households')
    op.drop_table('counter')
    op.drop_table('changes')
    with op.batch_alter_table('change_scope', schema=None) as batch_op:
        batch_op.drop_index('ix_change_scope_ward')
        batch_op.drop_index('ix_change_scope_household')

    op.drop_table('change_scope')
    with op.batch_alter_table('change_residents', schema=None) as batch_op:
        batch_op.drop_index('ix_change_residents_seq')
        batch_op.drop_index('ix_change_residents_resident')

    op.drop_table('change_residents')
    op.drop_table('access_log')
