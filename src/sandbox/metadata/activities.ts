import { A, AttrDef, EntityDef, simpleLookup, systemBlock, target } from './model';

/** Tables an activity can be "regarding", with the real relationship-name stem. */
const REGARDING = [
  ['account', 'Account'],
  ['contact', 'Contact'],
  ['lead', 'Lead'],
  ['opportunity', 'Opportunity'],
  ['cr8a1_project', 'cr8a1_project'],
] as const;

export const PARTICIPATION_TYPES =
  '1:Sender|2:To Recipient|3:CC Recipient|4:BCC Recipient|5:Required attendee|6:Optional attendee|7:Organizer|8:Regarding|9:Owner|10:Resource|11:Customer';

export const ACTIVITY_TABLES = ['appointment', 'email', 'phonecall', 'task'] as const;

function activityCommon(entity: string, plural: string): AttrDef[] {
  return [
    A.id('activityid', plural === 'Appointments' ? 'Appointment' : plural.slice(0, -1)),
    A.str('subject', 'Subject', 200, {
      required: entity === 'appointment' || entity === 'phonecall' || entity === 'task' ? 'ApplicationRequired' : 'None',
      isPrimaryName: true,
    }),
    A.memo('description', 'Description', entity === 'email' ? 1048576 : 2000),
    A.lookup(
      'regardingobjectid',
      'Regarding',
      REGARDING.map(([t, stem]) => target(t, `regardingobjectid_${t}_${entity}`, `${stem}_${plural}`, 'Cascade')),
      { type: 'Lookup' },
    ),
    A.companion('regardingobjectidname', 'regardingobjectid', 'String', 'Regarding'),
    A.companion('regardingobjecttypecode', 'regardingobjectid', 'EntityName', 'Regarding Object Type'),
    A.str('activitytypecode', 'Activity Type', 64, { readOnly: true, type: 'EntityName', format: undefined, maxLength: undefined }),
    A.choice('prioritycode', 'Priority', '0:Low|1:Normal|2:High'),
    A.date('scheduledstart', entity === 'task' ? 'Start Date' : 'Start Time'),
    A.date('scheduledend', entity === 'task' ? 'Due Date' : 'End Time'),
    A.int('scheduleddurationminutes', 'Scheduled Duration', { readOnly: entity !== 'appointment', minValue: 0 }),
    A.date('actualstart', 'Actual Start'),
    A.date('actualend', 'Actual End'),
    A.int('actualdurationminutes', 'Actual Duration', { minValue: 0 }),
    A.bool('isbilled', 'Is Billed'),
    A.bool('isworkflowcreated', 'Is Workflow Created'),
    A.bool('isregularactivity', 'Is Regular Activity', ['No', 'Yes'], { readOnly: true }),
    A.str('category', 'Category', 250),
    A.str('subcategory', 'Sub-Category', 250),
    A.uid('processid', 'Process'),
    A.uid('stageid', '(Deprecated) Process Stage'),
    A.str('traversedpath', '(Deprecated) Traversed Path', 1250),
    ...systemBlock(entity, `${entity}`, 'UserOwned'),
  ];
}

function activityEntity(logicalName: string, display: string, plural: string, otc: number, desc: string, extra: AttrDef[]): EntityDef {
  return {
    logicalName,
    schemaName: display.replace(/\s/g, ''),
    entitySetName: `${logicalName}s`,
    collectionSchemaName: plural.replace(/\s/g, ''),
    displayName: display,
    displayCollectionName: plural,
    description: desc,
    primaryIdAttribute: 'activityid',
    primaryNameAttribute: 'subject',
    objectTypeCode: otc,
    ownershipType: 'UserOwned',
    isActivity: true,
    isCustom: false,
    isValidForAdvancedFind: true,
    attributes: [...activityCommon(logicalName, plural.replace(/\s/g, '')), ...extra],
  };
}

export function activityEntities(): EntityDef[] {
  return [
    activityEntity(
      'appointment',
      'Appointment',
      'Appointments',
      4201,
      'Commitment representing a time interval with start/end times and duration.',
      [
        A.str('location', 'Location', 200),
        A.bool('isalldayevent', 'All Day Event'),
        A.bool('isonlinemeeting', 'Is Online Meeting'),
        A.url('onlinemeetingjoinurl', 'Join Online Meeting', { maxLength: 1250 }),
        A.choice(
          'instancetypecode',
          'Appointment Type',
          '0:Not Recurring|1:Recurring Master|2:Recurring Instance|3:Recurring Exception|4:Recurring Future Exception',
          { readOnly: true },
        ),
        A.str('globalobjectid', 'Outlook Appointment', 300, { readOnly: true }),
        A.bool('ismapiprivate', 'Is Private'),
        A.state('0:Open:1|1:Completed:3|2:Canceled:4|3:Scheduled:5'),
        A.status('1:Free:0|2:Tentative:0|3:Completed:1|4:Canceled:2|5:Busy:3|6:Out of Office:3'),
      ],
    ),
    activityEntity('task', 'Task', 'Tasks', 4212, 'Generic activity representing work needed to be done.', [
      A.int('percentcomplete', 'Percent Complete', { minValue: 0, maxValue: 100 }),
      A.str('subscriptionid', 'Subscription', 100, { readOnly: true }),
      A.state('0:Open:2|1:Completed:5|2:Canceled:6'),
      A.status('2:Not Started:0|3:In Progress:0|4:Waiting on someone else:0|7:Deferred:0|5:Completed:1|6:Canceled:2'),
    ]),
    activityEntity('email', 'Email', 'Email Messages', 4202, 'Activity that is delivered using email protocols.', [
      A.bool('directioncode', 'Direction', ['Incoming', 'Outgoing']),
      A.str('sender', 'From', 250, { readOnly: true }),
      A.str('torecipients', 'To Recipients', 500, { readOnly: true }),
      A.str('messageid', 'Message ID', 320, { readOnly: true }),
      A.str('inreplyto', 'In Reply To Message', 320, { readOnly: true }),
      A.choice(
        'notifications',
        'Notifications',
        '0:None|1:The message was saved as a Microsoft Dynamics 365 email record, but not all the attachments could be saved with it.',
        { readOnly: true },
      ),
      A.int('attachmentcount', 'Attachment Count', { readOnly: true, minValue: 0 }),
      A.date('senton', 'Date Sent', { readOnly: true }),
      A.state('0:Open:1|1:Completed:3|2:Canceled:5'),
      A.status('1:Draft:0|8:Failed:0|2:Completed:1|3:Sent:1|4:Received:1|6:Pending Send:1|7:Sending:1|5:Canceled:2'),
    ]),
    activityEntity('phonecall', 'Phone Call', 'Phone Calls', 4210, 'Activity to track a telephone call.', [
      A.phone('phonenumber', 'Phone Number', { maxLength: 200 }),
      A.bool('directioncode', 'Direction', ['Incoming', 'Outgoing']),
      A.bool('leftvoicemail', 'Left Voice Mail'),
      A.state('0:Open:1|1:Completed:2|2:Canceled:3'),
      A.status('1:Open:0|2:Made:1|4:Received:1|3:Canceled:2'),
    ]),
  ].map((e) =>
    e.logicalName === 'email' ? { ...e, schemaName: 'Email' } : e.logicalName === 'phonecall' ? { ...e, schemaName: 'PhoneCall' } : e,
  );
}

export function activityPartyEntity(): EntityDef {
  return {
    logicalName: 'activityparty',
    schemaName: 'ActivityParty',
    entitySetName: 'activityparties',
    collectionSchemaName: 'ActivityParties',
    displayName: 'Activity Party',
    displayCollectionName: 'Activity Parties',
    description: 'Person or group associated with an activity. An activity can have multiple activity parties.',
    primaryIdAttribute: 'activitypartyid',
    primaryNameAttribute: 'partyidname',
    objectTypeCode: 135,
    ownershipType: 'None',
    isActivity: false,
    isActivityParty: true,
    isCustom: false,
    isValidForAdvancedFind: false,
    nullUserLabel: false,
    attributes: [
      A.id('activitypartyid', 'Activity Party'),
      A.lookup(
        'activityid',
        'Activity',
        ACTIVITY_TABLES.map((t) => target(t, `activityid_${t}`, `${t}_activity_parties`, 'Cascade')),
        { type: 'Lookup' },
      ),
      A.lookup(
        'partyid',
        'Party',
        [
          target('account', 'partyid_account', 'account_activity_parties', 'RemoveLink'),
          target('contact', 'partyid_contact', 'contact_activity_parties', 'RemoveLink'),
          target('lead', 'partyid_lead', 'lead_activity_parties', 'RemoveLink'),
          target('systemuser', 'partyid_systemuser', 'system_user_activity_parties', 'RemoveLink'),
        ],
        { type: 'Lookup' },
      ),
      A.companion('partyidname', 'partyid', 'String', 'Party'),
      A.companion('partyobjecttypecode', 'partyid', 'EntityName', 'Party Type'),
      A.choice('participationtypemask', 'Participation Type', PARTICIPATION_TYPES, { required: 'SystemRequired' }),
      A.str('addressused', 'Address', 320),
      A.bool('ispartydeleted', 'Is Party Deleted', ['No', 'Yes'], { readOnly: true }),
      A.bool('donotemail', 'Do not allow Emails', ['Allow', 'Do Not Allow'], { readOnly: true }),
      A.bool('donotphone', 'Do not allow Phone Calls', ['Allow', 'Do Not Allow'], { readOnly: true }),
      A.date('scheduledstart', 'Scheduled Start', { readOnly: true }),
      A.date('scheduledend', 'Scheduled End', { readOnly: true }),
      A.money('effort', 'Effort', { minValue: 0 }),
      A.str('exchangeentryid', 'Exchange Entry', 1024),
      A.bigint('versionnumber', 'Version Number', { readOnly: true }),
      ...simpleLookup('activityparty', 'ownerid', 'Owner', 'systemuser', 'activityparty_owner', 'Restrict', { readOnly: true }).slice(0, 1),
    ],
  };
}
