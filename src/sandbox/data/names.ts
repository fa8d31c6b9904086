/** Sample-data vocabularies (plain literals; nothing is computed at import time). */

export const SAMPLE_COMPANIES = [
  'Contoso Ltd', 'Fabrikam, Inc.', 'Adventure Works Cycles', 'Alpine Ski House', 'Blue Yonder Airlines', 'City Power & Light',
  'Coho Winery', 'Litware, Inc.', 'Lucerne Publishing', "Margie's Travel", 'Northwind Traders', 'Proseware, Inc.',
  'Southridge Video', 'Tailspin Toys', 'Trey Research', 'Wide World Importers', 'Woodgrove Bank', 'Wingtip Toys',
  'Humongous Insurance', 'Graphic Design Institute', 'Fourth Coffee', 'A. Datum Corporation', 'Consolidated Messenger',
  'Relecloud', 'VanArsdel, Ltd.', 'Best For You Organics Company', "Munson's Pickles and Preserves Farm", "O'Brien & Sons Hardware",
  'Müller Logistik GmbH', 'Zoë Café Collective', 'Bellows College', 'Datum Café', 'Nod Publishers', 'Olympia Kühltechnik AG',
];

export const COMPANY_STEMS = [
  'Aurora', 'Beacon', 'Cascade', 'Crescent', 'Evergreen', 'Falcon', 'Granite', 'Harbor', 'Horizon', 'Ironwood', 'Juniper', 'Keystone',
  'Lakeside', 'Maple', 'Meridian', 'Northgate', 'Oakridge', 'Pinnacle', 'Quarry', 'Redwood', 'Riverbend', 'Sierra', 'Summit',
  'Sunrise', 'Tidewater', 'Union', 'Valley', 'Westbrook', 'Willow', 'Zenith', 'Bäckerei Schmidt', 'Nordström', 'Château',
  "D'Amico", 'Østergaard', 'São Bento', 'Łukasz', 'Kōyō',
];

export const COMPANY_NOUNS = [
  'Analytics', 'Bakery', 'Builders', 'Capital', 'Consulting', 'Dental', 'Design', 'Electric', 'Engineering', 'Foods', 'Freight',
  'Health', 'Hotels', 'Imports', 'Insurance', 'Labs', 'Legal', 'Logistics', 'Manufacturing', 'Media', 'Motors', 'Outfitters',
  'Partners', 'Pharma', 'Plastics', 'Printing', 'Realty', 'Robotics', 'Software', 'Solar', 'Systems', 'Telecom', 'Textiles', 'Travel',
];

export const COMPANY_SUFFIXES = ['', ' Ltd', ', Inc.', ' LLC', ' Group', ' Co.', ' GmbH', ' S.A.', ' Pty Ltd', ' AG', ' plc'];

export const FIRST_NAMES = [
  'Aaron', 'Abigail', 'Adrian', 'Aisha', 'Alejandro', 'Alex', 'Amelia', 'Ana', 'Andrés', 'Anika', 'Ben', 'Björn', 'Carlos', 'Chloé',
  'Chen', 'Daniel', 'David', 'Diego', 'Elena', 'Emily', 'Emma', 'Ethan', 'Fatima', 'François', 'Gabriel', 'Grace', 'Hannah', 'Hiroshi',
  'Isabella', 'Ivan', 'Jack', 'James', 'Jane', 'José', 'Julia', 'Kenji', 'Laura', 'Liam', 'Lucía', 'Maria', 'Mateo', 'Mia', 'Mohammed',
  'Nadia', 'Noah', 'Olivia', 'Omar', 'Priya', 'Rahul', 'Renée', 'Sarah', 'Siobhán', 'Sofia', 'Søren', 'Thomas', 'Valentina', 'Wei',
  'William', 'Yuki', 'Zoë',
];

export const LAST_NAMES = [
  'Adams', 'Ahmed', 'Andersen', 'Baker', 'Becker', 'Brown', 'Chen', 'Clark', 'Cohen', "D'Angelo", 'Davis', 'Dubois', 'Evans', 'Fischer',
  'García', 'Gonzalez', 'Hall', 'Hansen', 'Hernández', 'Ito', 'Jackson', 'Johnson', 'Kim', 'Kowalski', 'Kumar', 'Lee', 'Lopez', 'Martin',
  'Martínez', 'Miller', 'Moore', 'Müller', 'Nguyen', "O'Brien", "O'Connor", 'Patel', 'Perez', 'Rossi', 'Sato', 'Schneider', 'Schulz',
  'Silva', 'Singh', 'Smith', 'Tanaka', 'Taylor', 'Thomas', 'Thompson', 'Walker', 'Wang', 'Weber', 'White', 'Williams', 'Wilson', 'Wójcik',
  'Yamamoto', 'Young', 'Zhang',
];

export const JOB_TITLES = [
  'Chief Executive Officer', 'Chief Financial Officer', 'Chief Technology Officer', 'VP of Sales', 'VP of Operations', 'Sales Manager',
  'Account Manager', 'Purchasing Manager', 'Procurement Specialist', 'IT Director', 'Office Manager', 'Marketing Director',
  'Operations Manager', 'Project Manager', 'Business Analyst', 'Software Engineer', 'Customer Service Lead', 'Head of Finance',
];

/** [city, state/province, country, postal code prefix, phone prefix] */
export const CITIES: [string, string, string, string, string][] = [
  ['Seattle', 'WA', 'United States', '981', '+1 206'], ['Redmond', 'WA', 'United States', '980', '+1 425'],
  ['New York', 'NY', 'United States', '100', '+1 212'], ['Chicago', 'IL', 'United States', '606', '+1 312'],
  ['Austin', 'TX', 'United States', '787', '+1 512'], ['San Francisco', 'CA', 'United States', '941', '+1 415'],
  ['Boston', 'MA', 'United States', '021', '+1 617'], ['Atlanta', 'GA', 'United States', '303', '+1 404'],
  ['Toronto', 'ON', 'Canada', 'M5V', '+1 416'], ['Vancouver', 'BC', 'Canada', 'V6B', '+1 604'],
  ['London', '', 'United Kingdom', 'EC1', '+44 20'], ['Manchester', '', 'United Kingdom', 'M1', '+44 161'],
  ['Dublin', '', 'Ireland', 'D02', '+353 1'], ['Berlin', 'Berlin', 'Germany', '101', '+49 30'],
  ['München', 'Bayern', 'Germany', '803', '+49 89'], ['Zürich', 'ZH', 'Switzerland', '80', '+41 44'],
  ['Paris', 'Île-de-France', 'France', '750', '+33 1'], ['Amsterdam', 'Noord-Holland', 'Netherlands', '10', '+31 20'],
  ['Madrid', 'Madrid', 'Spain', '280', '+34 91'], ['Stockholm', '', 'Sweden', '111', '+46 8'],
  ['København', '', 'Denmark', '1', '+45 33'], ['Sydney', 'NSW', 'Australia', '20', '+61 2'],
  ['Melbourne', 'VIC', 'Australia', '30', '+61 3'], ['Tokyo', '', 'Japan', '100-', '+81 3'],
  ['Singapore', '', 'Singapore', '01', '+65 6'], ['Bengaluru', 'Karnataka', 'India', '560', '+91 80'],
  ['São Paulo', 'SP', 'Brazil', '01', '+55 11'],
];

export const STREETS = ['Main Street', 'Market Street', 'High Street', 'Oak Avenue', 'Pine Road', 'Lake Drive', 'Hauptstraße', 'Rue de Rivoli', 'Park Lane', 'Queen Street', 'Industrial Way', 'Harbor Boulevard'];

export const PRODUCTS = ['laptops', 'servers', 'support contract', 'cloud subscription', 'office furniture', 'coffee machines', 'delivery vans', 'CRM licences', 'security cameras', 'solar panels', 'training', 'consulting days'];

export const APPOINTMENT_SUBJECTS = [
  'Quarterly business review', 'Product demo', 'Kick-off meeting', 'Contract negotiation', 'Site visit', 'Lunch with the purchasing team',
  'Renewal discussion', 'Technical deep dive', 'Onboarding workshop', 'Pricing follow-up', 'Executive briefing', 'Support escalation review',
];

export const TASK_SUBJECTS = [
  'Send proposal', 'Follow up on quote', 'Prepare contract', 'Call back about invoice', 'Update billing address', 'Schedule demo',
  'Collect requirements', 'Send thank-you note', 'Review credit limit', 'Check delivery status', 'Prepare QBR deck', 'Verify tax ID',
];

export const LOCATIONS = ['Teams meeting', 'Customer office', 'Conference room 1', 'Conference room 2', 'Café Müller', 'Head office', 'Phone'];

export const USERS: [string, string, string][] = [
  ['Sandbox', 'User', 'Sales Manager'], ['Alex', 'Wilber', 'Account Executive'], ['Megan', 'Bowen', 'Marketing Manager'],
  ['Adele', 'Vance', 'Retail Manager'], ['Diego', 'Siciliani', 'HR Manager'], ['Isaiah', 'Langer', 'Sales Representative'],
  ['Johanna', 'Lorenz', 'Senior Engineer'], ['Lee', 'Gu', 'Director'], ['Lidia', 'Holloway', 'Product Manager'],
  ['Nestor', 'Wilke', 'Director of Operations'], ['Patti', 'Fernandez', 'President'], ['Pradeep', 'Gupta', 'Accountant'],
];
