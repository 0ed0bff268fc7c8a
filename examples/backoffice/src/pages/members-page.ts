import { type BusinessMember, html } from '@guichet-examples/relying-party';
import { type HeaderInfo, layout } from './layout.ts';

export function renderMembersPage(header: HeaderInfo, members: BusinessMember[]): string {
  const rows = members.map(
    (member) => html`<tr>
<td>${member.name}</td>
<td>${member.email}</td>
<td>${member.roles.map((role) => html`<span class="role role-${role}">${role}</span>`)}</td>
</tr>`,
  );
  return layout(
    'Members',
    html`<h1>Members</h1>
<p class="lead">People who work for ${header.businessName ?? 'this business'}, and their roles.</p>
<div class="panel"><table data-testid="members">
<thead><tr><th>Name</th><th>Email</th><th>Roles</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`,
    header,
  );
}
